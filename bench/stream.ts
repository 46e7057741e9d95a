/**
 * Streaming overhead of Tandem's path against raw node-llama-cpp.
 *
 *   npm run bench:stream [-- MODEL.gguf] [--rounds N] [--max-tokens N] [--prompt TEXT]
 *
 * For one model, prompt, thread count and token budget (greedy sampling, so
 * every run produces the same tokens) it measures, in alternating rounds:
 *   (a) raw: node-llama-cpp in this process (getLlama, loadModel, createContext
 *       with the threads Tandem picks, LlamaChat.generateResponse + onTextChunk);
 *   (b) tandem: a WebSocket client of Tandem's serve transport (createCore +
 *       startServeServer in this process; the client in a worker thread, as a
 *       browser tab would be) sending chat.send and receiving the text-delta
 *       parts, tokens taken from the final usage part.
 * Rounds alternate a,b / b,a so slow drift and order effects cancel.
 * It prints medians of tokens/s and time to first token, the ratio (b)/(a)
 * and the TTFT Tandem adds, against the targets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getLlama, LlamaChat, LlamaLogLevel, type ChatHistoryItem } from 'node-llama-cpp';
import { Worker } from 'node:worker_threads';
import { createCore } from '../electron/core/app/create-core';
import { createLogger } from '../electron/core/app/logger';
import { resolveThreads } from '../electron/core/models/threads';
import { startServeServer } from '../electron/core/server/serve-server';
import { createToken } from '../electron/core/server/security';
import { DEFAULT_SETTINGS } from '../electron/core/settings/settings-store';
import { TOKEN_QUERY_PARAM, WS_PATH } from '../shared/ipc/wire';

const TARGET_RATIO = 0.97;
const TARGET_ADDED_TTFT_MS = 10;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '20' },
    'max-tokens': { type: 'string', default: '400' },
    prompt: { type: 'string', default: 'Once upon a time, there was a little girl named Lily.' },
  },
});
const modelPath = resolve(positionals[0] ?? join(repoRoot, '..', 'shared', 'models', 'stories260K.gguf'));
const rounds = Number(values.rounds);
const maxTokens = Number(values['max-tokens']);
const prompt = values.prompt;

interface Run {
  tokens: number;
  ttftMs: number;
  totalMs: number;
  text: string;
}

const tokensPerSecond = (run: Run) => run.tokens / (run.totalMs / 1000);
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const modelBytes = (await stat(modelPath)).size;
const threads = resolveThreads(DEFAULT_SETTINGS.threads, modelBytes);
const contextSize = DEFAULT_SETTINGS.contextSize === 'auto' ? { max: 8192 } : DEFAULT_SETTINGS.contextSize;

// ---------- (a) raw node-llama-cpp ----------

const llama = await getLlama({ build: 'never', gpu: false, skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
const rawModel = await llama.loadModel({ modelPath });
const rawContext = await rawModel.createContext({ contextSize, threads: { ideal: threads.generation, min: 1 } });

async function runRaw(): Promise<Run> {
  const started = performance.now();
  const sequence = rawContext.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
  let firstAt = 0;
  let tokens = 0;
  let text = '';
  try {
    const history: ChatHistoryItem[] = [{ type: 'user', text: prompt }, { type: 'model', response: [] }];
    await chat.generateResponse(history, {
      maxTokens,
      onToken: (generated) => (tokens += generated.length),
      onTextChunk: (chunk) => {
        if (firstAt === 0) firstAt = performance.now();
        text += chunk;
      },
    });
  } finally {
    chat.dispose({ disposeSequence: false });
    sequence.dispose();
  }
  return { tokens, ttftMs: firstAt - started, totalMs: performance.now() - started, text };
}

// ---------- (b) Tandem over its WebSocket transport ----------

const dataDir = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
const logger = createLogger('warn');
const core = await createCore({ dataDir, modelsDirs: [dirname(modelPath)], mode: 'serve', version: 'bench', logger, gpu: false });
const token = createToken();
const server = await startServeServer({ rpc: core.rpc, logger, token, host: '127.0.0.1', port: 0, staticDir: null });
// The client runs in a worker thread: like a browser tab it has its own event loop.
const client = new Worker(new URL('./support/ws-bench-client.mjs', import.meta.url), {
  workerData: { url: `ws://127.0.0.1:${server.port}${WS_PATH}?${TOKEN_QUERY_PARAM}=${token}` },
});
function ask<T>(message: Record<string, unknown>): Promise<T> {
  return new Promise((resolveAsk, reject) => {
    client.once('message', (reply: { type: string; data?: unknown; message?: string }) => {
      if (reply.type === 'error') reject(new Error(reply.message));
      else resolveAsk(reply.data as T);
    });
    client.postMessage(message);
  });
}
await new Promise<void>((resolveReady, reject) => {
  client.once('message', (reply: { type: string; message?: string }) => (reply.type === 'ready' ? resolveReady() : reject(new Error(reply.message))));
});
const must = <T>(route: string, input: unknown) => ask<T>({ type: 'call', route, input });

await must('settings.update', { maxTokens });
const models = await must<{ id: string; path: string }[]>('models.list', {});
const modelId = models.find((m) => m.path === modelPath)?.id;
if (!modelId) throw new Error(`Tandem does not list ${modelPath}`);

const runTandem = () => ask<Run>({ type: 'run', prompt, modelId });

// ---------- run ----------

console.log(`model       ${modelPath} (${(modelBytes / 1024 / 1024).toFixed(1)} MB)`);
console.log(`setup       ${maxTokens} tokens, ${rounds} rounds interleaved (a,b / b,a …), greedy, ${threads.generation} generation thread(s) of ${threads.batch} cores, context ${JSON.stringify(contextSize)}`);
console.log(`prompt      ${JSON.stringify(prompt)}`);

// warm-up (loads Tandem's copy of the model; first evaluations are slower)
await runRaw();
await runTandem();

const raw: Run[] = [];
const tandem: Run[] = [];
for (let round = 0; round < rounds; round++) {
  // a,b then b,a: interleaved, and neither side always runs right after the other
  if (round % 2 === 0) {
    raw.push(await runRaw());
    tandem.push(await runTandem());
  } else {
    tandem.push(await runTandem());
    raw.push(await runRaw());
  }
  const a = raw.at(-1)!;
  const b = tandem.at(-1)!;
  console.log(
    `round ${round + 1}     raw ${tokensPerSecond(a).toFixed(0)} tok/s ttft ${a.ttftMs.toFixed(1)} ms | tandem ${tokensPerSecond(b).toFixed(0)} tok/s ttft ${b.ttftMs.toFixed(1)} ms (${b.tokens} tokens)`,
  );
}

const sameOutput = raw.every((r) => r.text === raw[0]!.text) && tandem.every((t) => t.text === raw[0]!.text);
const sameLength = raw.every((r) => r.tokens === maxTokens || r.tokens === raw[0]!.tokens) && tandem.every((t) => t.tokens === raw[0]!.tokens);
const rawTps = median(raw.map(tokensPerSecond));
const tandemTps = median(tandem.map(tokensPerSecond));
const rawTtft = median(raw.map((r) => r.ttftMs));
const tandemTtft = median(tandem.map((r) => r.ttftMs));
const ratio = tandemTps / rawTps;
// each round's b over the a run beside it: less sensitive to slow drift of a shared, noisy machine
const pairedRatio = median(tandem.map((t, i) => tokensPerSecond(t) / tokensPerSecond(raw[i]!)));
const addedTtft = tandemTtft - rawTtft;

console.log('');
console.log(`(a) raw node-llama-cpp     ${rawTps.toFixed(1)} tok/s   TTFT ${rawTtft.toFixed(1)} ms   (median of ${rounds})`);
console.log(`(b) Tandem over WebSocket  ${tandemTps.toFixed(1)} tok/s   TTFT ${tandemTtft.toFixed(1)} ms   (median of ${rounds})`);
console.log(`ratio (b)/(a)              ${ratio.toFixed(3)}   target >= ${TARGET_RATIO}   ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'}`);
console.log(`  paired per round (median) ${pairedRatio.toFixed(3)}`);
console.log(`added TTFT                 ${addedTtft.toFixed(1)} ms   target <= ${TARGET_ADDED_TTFT_MS} ms   ${addedTtft <= TARGET_ADDED_TTFT_MS ? 'MET' : 'MISSED'}`);
console.log(`same tokens both ways      ${sameLength ? 'yes' : 'NO'} (${raw[0]!.tokens} tokens); same text ${sameOutput ? 'yes' : 'NO'}`);

client.postMessage({ type: 'close' });
await client.terminate();
await server.close();
await core.dispose();
await rawContext.dispose();
await rawModel.dispose();
await llama.dispose();
await rm(dataDir, { recursive: true, force: true });
