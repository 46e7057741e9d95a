/**
 * Latency Tandem's provider layer adds over a direct `openai` SDK call.
 *
 *   npm run bench:cloud [-- --requests N]
 *
 * Both sides stream the same completion from the same local fake
 * OpenAI-compatible server (tests/fixtures), to the last chunk:
 *   (a) direct: `client.chat.completions.create({ stream: true })`, iterated;
 *   (b) tandem: ProviderService.languageModel('fake/gpt-test') (key decrypt,
 *       model resolution) and its stream() iterated to the finish part
 *       (part mapping, retry wrapper, idle timer, token estimate, usage ledger).
 * Requests alternate a,b / b,a so drift cancels. It prints p50 and p99 of each
 * side and of the difference, against the targets (p50 ≤ 1 ms, p99 ≤ 3 ms).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { createLogger } from '../electron/core/app/logger';
import { percentile } from '../electron/core/providers/health';
import { ProviderService } from '../electron/core/providers/provider-service';
import { startFakeOpenAI } from '../tests/fixtures/fake-openai-server';

const TARGET_P50_MS = 1;
const TARGET_P99_MS = 3;
const KEY = 'sk-bench-0123456789abcdef';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '100' } } });
const requests = Number(values.requests);
const warmup = Number(values.warmup);

const server = await startFakeOpenAI({ apiKey: KEY });
const dataDir = await mkdtemp(join(tmpdir(), 'tandem-bench-cloud-'));
const service = new ProviderService({ dataDir, logger: createLogger('error') });
await service.init();
await service.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
const direct = new OpenAI({ apiKey: KEY, baseURL: server.baseUrl, maxRetries: 0, logLevel: 'off' });
const messages = [{ role: 'user' as const, text: 'Say hello' }];

async function runDirect(): Promise<number> {
  const started = performance.now();
  const stream = await direct.chat.completions.create({
    model: 'gpt-test',
    messages: messages.map((m) => ({ role: m.role, content: m.text })),
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 256,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  if (!text) throw new Error('direct: no text');
  return performance.now() - started;
}

async function runTandem(): Promise<number> {
  const started = performance.now();
  const model = await service.languageModel('fake/gpt-test');
  let finished = false;
  for await (const part of model.stream({ messages, maxTokens: 256 }, { signal: new AbortController().signal })) {
    if (part.type === 'error') throw new Error(`tandem: ${part.code}: ${part.message}`);
    if (part.type === 'finish') finished = true;
  }
  if (!finished) throw new Error('tandem: no finish');
  return performance.now() - started;
}

for (let i = 0; i < warmup; i += 1) {
  await runDirect();
  await runTandem();
}
const a: number[] = [];
const b: number[] = [];
const diff: number[] = [];
for (let i = 0; i < requests; i += 1) {
  let ta: number;
  let tb: number;
  if (i % 2 === 0) {
    ta = await runDirect();
    tb = await runTandem();
  } else {
    tb = await runTandem();
    ta = await runDirect();
  }
  a.push(ta);
  b.push(tb);
  diff.push(tb - ta);
}
await service.dispose();
await server.close();
await rm(dataDir, { recursive: true, force: true });

const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const fmt = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(3)} ms`);
const pa = sorted(a);
const pb = sorted(b);
const pd = sorted(diff);
const addedP50 = percentile(pb, 0.5)! - percentile(pa, 0.5)!;
const addedP99 = percentile(pb, 0.99)! - percentile(pa, 0.99)!;
process.stdout.write(`bench:cloud — ${requests} requests each side, interleaved, fake server on 127.0.0.1 (Node ${process.version})\n`);
process.stdout.write(`  direct SDK   p50 ${fmt(percentile(pa, 0.5))}  p99 ${fmt(percentile(pa, 0.99))}\n`);
process.stdout.write(`  tandem       p50 ${fmt(percentile(pb, 0.5))}  p99 ${fmt(percentile(pb, 0.99))}\n`);
process.stdout.write(`  paired diff  p50 ${fmt(percentile(pd, 0.5))}  p99 ${fmt(percentile(pd, 0.99))}\n`);
process.stdout.write(
  `  added latency: p50 ${fmt(addedP50)} (target <= ${TARGET_P50_MS} ms: ${addedP50 <= TARGET_P50_MS ? 'PASS' : 'FAIL'}), ` +
    `p99 ${fmt(addedP99)} (target <= ${TARGET_P99_MS} ms: ${addedP99 <= TARGET_P99_MS ? 'PASS' : 'FAIL'})\n`,
);
