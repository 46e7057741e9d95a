/**
 * Tandem's API server against in-process calls, and batching of several
 * clients on one local model.
 *
 *   npm run bench:api [-- --rounds N] [--max-tokens N] [--seconds N] [--out FILE]
 *
 * On the generated 120 MB llama model of bench/local.ts (F32, width 1024,
 * 2 blocks, written into a temp dir) with a real core and the API server on
 * loopback (StaticKeyGate, the openai SDK as the client), it measures:
 *   1. tokens/s (answer wall clock) of one streaming /v1/chat/completions client vs
 *      core.resolveModel(id).stream in process (greedy, same prompt, rounds
 *      interleaved a,b / b,a); target >= 0.97;
 *   2. four concurrent streaming clients on that model: aggregate tokens/s
 *      vs one client alone (wall clock from the first request to the last
 *      token, TTFT included, both sides alike), and each client's time to
 *      first token; target >= 1.8x. Anchor: llama-server built from the same
 *      llama.cpp source (-np 4, 2 threads) goes from 291 to 583 tokens/s (2.0x);
 *   3. requests/s for GET /v1/models and for cached chat completions (a cloud
 *      model on the fake OpenAI server with the response cache on).
 * Results are printed and written to bench/RESULTS-api.md (--out to change).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { createCore } from '../electron/core/app/create-core';
import { createLogger } from '../electron/core/app/logger';
import { createApiHandler } from '../electron/core/server/api/api-handler';
import { startApiServer } from '../electron/core/server/api/api-server';
import { StaticKeyGate } from '../electron/core/server/api/static-key-gate';
import { allowedHosts } from '../electron/core/server/security';
import { startFakeOpenAI } from '../tests/fixtures/fake-openai-server';
import { writeTinyLlamaGguf } from '../tests/fixtures/gguf-writer';

const TARGET_API_RATIO = 0.97;
const TARGET_BATCH_SPEEDUP = 1.8;
const ANCHOR = { one: 291, four: 583 };
const CLIENTS = 4;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    'max-tokens': { type: 'string', default: '96' },
    seconds: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/RESULTS-api.md' },
  },
});
const rounds = Number(values.rounds);
const maxTokens = Number(values['max-tokens']);
const seconds = Number(values.seconds);
const CONTEXT = 2048;
const KEY = 'tdm_bench_api_0123456789abcdef';
const PROVIDER_KEY = 'sk-bench-api-0123456789abcdef';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, digits = 1) => x.toFixed(digits);

// ---------- setup ----------
const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-api-'));
const modelsDir = join(dir, 'models');
await import('node:fs/promises').then((fs) => fs.mkdir(modelsDir));
const modelPath = join(modelsDir, 'bench-llama.gguf');
const modelBytes = await writeTinyLlamaGguf(modelPath, { embeddingLength: 1024, feedForwardLength: 4096, blockCount: 2, contextLength: CONTEXT, seed: 11 });
const modelId = 'bench-llama';

const fake = await startFakeOpenAI({ apiKey: PROVIDER_KEY });
const core = await createCore({ dataDir: join(dir, 'data'), modelsDirs: [modelsDir], mode: 'cli', version: '0.0.0-bench', logger: createLogger('warn'), gpu: false });
// the response cache stays off until part 3: it would replay the repeated local answers
await core.settings.update({ contextSize: CONTEXT, routing: { ...core.settings.get().routing, cache: { ...core.settings.get().routing.cache, enabled: false } } });
await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: fake.baseUrl, apiKey: PROVIDER_KEY });

let hosts = new Set<string>();
const handler = createApiHandler({ core, gate: new StaticKeyGate(KEY, 'bench'), corsOrigins: () => [], allowedHosts: () => hosts });
const server = await startApiServer({ handler, host: '127.0.0.1', port: 0 });
hosts = allowedHosts('127.0.0.1', server.port);
const openai = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });

interface Run {
  startedAt: number;
  firstAt: number;
  endedAt: number;
  tokens: number;
}
/**
 * Tokens/s of one answer over its wall clock, prompt included (the same short
 * prompt on both sides). Not from the first text: this random-weight model's
 * first tokens are often partial UTF-8 bytes whose text comes out later.
 */
const genTps = (r: Run) => r.tokens / ((r.endedAt - r.startedAt) / 1000);

const prompt = (i = 0) => `Once upon a time ${i}`;

async function inProcess(i = 0): Promise<Run> {
  const startedAt = performance.now();
  let firstAt = 0;
  let tokens = 0;
  const model = await core.resolveModel(modelId);
  for await (const part of model.stream({ messages: [{ role: 'user', text: prompt(i) }], maxTokens, temperature: 0 }, { signal: new AbortController().signal })) {
    if (part.type === 'text-delta' && firstAt === 0) firstAt = performance.now();
    if (part.type === 'usage') tokens = part.usage.outputTokens;
    if (part.type === 'error') throw new Error(part.message);
  }
  return { startedAt, firstAt, endedAt: performance.now(), tokens };
}

async function throughApi(i = 0): Promise<Run> {
  const startedAt = performance.now();
  let firstAt = 0;
  let tokens = 0;
  const stream = await openai.chat.completions.create({
    model: modelId,
    messages: [{ role: 'user', content: prompt(i) }],
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (firstAt === 0 && chunk.choices[0]?.delta?.content) firstAt = performance.now();
    if (chunk.usage) tokens = chunk.usage.completion_tokens;
  }
  return { startedAt, firstAt, endedAt: performance.now(), tokens };
}

const lines: string[] = [];
const say = (line = '') => {
  console.log(line);
  lines.push(line);
};

say(`model       generated llama, width 1024, 2 blocks, F32, ${fmt(modelBytes / 1024 / 1024)} MB; context ${CONTEXT}; greedy; ${maxTokens} tokens per answer`);
say(`machine     ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); threads ${JSON.stringify(core.runtime.threadsFor(modelBytes))}`);

// warm-up: loads the model, fills caches
await inProcess();
await throughApi();
const loaded = core.runtime.loaded().find((m) => m.modelId === modelId);
say(`runtime     loaded with context ${loaded?.contextSize}, ${loaded?.threads} threads`);

// ---------- 1. API vs in-process ----------
const api: Run[] = [];
const direct: Run[] = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['direct', 'api'] : ['api', 'direct'];
  for (const side of order) {
    if (side === 'direct') direct.push(await inProcess());
    else api.push(await throughApi());
  }
  console.log(`round ${round + 1}     in-process ${fmt(genTps(direct.at(-1)!))} tok/s (${direct.at(-1)!.tokens} tokens) | API ${fmt(genTps(api.at(-1)!))} tok/s (${api.at(-1)!.tokens} tokens)`);
}
const apiRatio = median(api.map(genTps)) / median(direct.map(genTps));
const bestRatio = Math.max(...api.map(genTps)) / Math.max(...direct.map(genTps));
say('');
say('## 1. Streaming through the API vs in process (one client)');
say(`in-process  ${fmt(median(direct.map(genTps)))} tok/s (median of ${rounds}; best ${fmt(Math.max(...direct.map(genTps)))})`);
say(`API         ${fmt(median(api.map(genTps)))} tok/s (median of ${rounds}; best ${fmt(Math.max(...api.map(genTps)))})`);
say(`ratio       ${fmt(apiRatio, 3)} (best runs ${fmt(bestRatio, 3)})   target >= ${TARGET_API_RATIO}   ${apiRatio >= TARGET_API_RATIO ? 'MET' : 'MISSED'}`);

// ---------- 2. four clients on one model ----------
interface Batch {
  aggregate: number;
  ttfts: number[];
  tokens: number[];
}
async function clients(n: number): Promise<Batch> {
  const started = performance.now();
  const runs = await Promise.all(Array.from({ length: n }, (_, i) => throughApi(i + 1)));
  const ended = Math.max(...runs.map((r) => r.endedAt));
  const total = runs.reduce((sum, r) => sum + r.tokens, 0);
  return { aggregate: total / ((ended - started) / 1000), ttfts: runs.map((r) => r.firstAt - r.startedAt), tokens: runs.map((r) => r.tokens) };
}
const one: Batch[] = [];
const four: Batch[] = [];
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    one.push(await clients(1));
    four.push(await clients(CLIENTS));
  } else {
    four.push(await clients(CLIENTS));
    one.push(await clients(1));
  }
  console.log(`round ${round + 1}     1 client ${fmt(one.at(-1)!.aggregate)} tok/s | ${CLIENTS} clients ${fmt(four.at(-1)!.aggregate)} tok/s aggregate, TTFT ${four.at(-1)!.ttfts.map((t) => fmt(t, 0)).join(' / ')} ms`);
}
const oneTps = median(one.map((b) => b.aggregate));
const fourTps = median(four.map((b) => b.aggregate));
const speedup = fourTps / oneTps;
const medianRun = four.slice().sort((a, b) => a.aggregate - b.aggregate)[Math.floor(four.length / 2)]!;
say('');
say(`## 2. ${CLIENTS} concurrent streaming clients on one local model (through the API)`);
say(`1 client    ${fmt(oneTps)} tok/s (wall clock, TTFT included; median of ${rounds}), TTFT ${fmt(median(one.map((b) => b.ttfts[0]!)), 0)} ms`);
say(`${CLIENTS} clients   ${fmt(fourTps)} tok/s aggregate (median of ${rounds}); TTFT per client in the median round: ${medianRun.ttfts.map((t) => `${fmt(t, 0)} ms`).join(', ')}; tokens ${medianRun.tokens.join(', ')}`);
say(`speedup     ${fmt(speedup, 2)}x   target >= ${TARGET_BATCH_SPEEDUP}x   ${speedup >= TARGET_BATCH_SPEEDUP ? 'MET' : 'MISSED'}`);
say(`anchor      llama-server from the same llama.cpp source (-np 4, 2 threads): ${ANCHOR.one} -> ${ANCHOR.four} tok/s (${fmt(ANCHOR.four / ANCHOR.one, 2)}x); Tandem is at ${fmt((fourTps / ANCHOR.four) * 100, 0)}% of its 4-client figure (not rebuilt here: the bench never compiles llama.cpp)`);

// ---------- 3. requests/s ----------
async function requestsPerSecond(request: () => Promise<unknown>, concurrency = 8): Promise<{ rps: number; count: number }> {
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await request();
        count++;
      }
    }),
  );
  return { rps: count / ((performance.now() - started) / 1000), count };
}
await core.settings.update({ routing: { ...core.settings.get().routing, cache: { ...core.settings.get().routing.cache, enabled: true } } });
const headers = { Authorization: `Bearer ${KEY}` };
const modelsUrl = `${server.url}/models`;
await fetch(modelsUrl, { headers }).then((r) => r.json());
const models = await requestsPerSecond(async () => {
  const response = await fetch(modelsUrl, { headers });
  if (response.status !== 200) throw new Error(`GET /v1/models answered ${response.status}`);
  await response.arrayBuffer();
});
const cachedBody = { model: 'fake/gpt-test', messages: [{ role: 'user' as const, content: 'What is the capital of France?' }], temperature: 0 };
const first = await openai.chat.completions.create(cachedBody);
const before = fake.count('gpt-test');
const cachedRps = await requestsPerSecond(async () => {
  const answer = await openai.chat.completions.create(cachedBody);
  if (answer.choices[0]?.message.content !== first.choices[0]?.message.content) throw new Error('a cached answer differs');
});
const reachedServer = fake.count('gpt-test') - before;
say('');
say('## 3. Requests per second (8 concurrent clients, keep-alive)');
say(`GET /v1/models                 ${fmt(models.rps, 0)} req/s (${models.count} in ${seconds} s)`);
say(`cached chat completions        ${fmt(cachedRps.rps, 0)} req/s (${cachedRps.count} in ${seconds} s; ${reachedServer} reached the provider)`);

// ---------- results ----------
const date = new Date().toISOString().slice(0, 10);
const doc = [
  '# API server benchmark (`npm run bench:api`)',
  '',
  `Run ${date} on this machine; every number below comes from one run of the script (${rounds} rounds, ${maxTokens} tokens per answer).`,
  '',
  '```',
  ...lines,
  '```',
  '',
].join('\n');
await writeFile(values.out!, doc);
console.log(`\nwritten to ${values.out}`);

await server.close();
await core.dispose();
await fake.close();
await rm(dir, { recursive: true, force: true });
