/**
 * Auto's cost in time, and its routing quality.
 *
 *   npm run bench:router [-- --decisions N --requests N]
 *
 * 1. Decision time with 50 candidates and 10,000 outcomes: the prompt's
 *    representation and neighbour search (the quality prediction, reported
 *    apart: the "embedding") and the policy (hard rules, pinned rules,
 *    scoring) over prompts from the shared test splits. p50 / p99.
 * 2. Auto's added time to first token: the same request to the fake
 *    OpenAI-compatible server (tests/fixtures) (a) straight to the model Auto
 *    picks (ProviderService.languageModel, what a chat with that model used
 *    before Auto), (b) through `auto` (decision, route part, budget
 *    reservation, queue, circuit, cache lookup, metering). Alternating a,b /
 *    b,a; p50 of the difference against the target (≤ 1 ms).
 * 3. `route eval` time and metrics on each shared split (train → test).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../electron/core/app/create-core';
import { createLogger } from '../electron/core/app/logger';
import { percentile } from '../electron/core/providers/health';
import { parseOutcomeLines, toSample } from '../electron/core/routing/outcome-file';
import { QualityModel } from '../electron/core/routing/quality-model';
import { evaluateRouter } from '../electron/core/routing/route-eval';
import { decideRoute, type CandidateProfile } from '../electron/core/routing/router-policy';
import { NO_ROUTE_CONTEXT } from '../electron/core/routing/routing-service';
import { startFakeOpenAI } from '../tests/fixtures/fake-openai-server';
import { sharedModelsDir } from '../tests/support/paths';

const { values } = parseArgs({ options: { decisions: { type: 'string', default: '2000' }, requests: { type: 'string', default: '400' } } });
const routingDir = join(sharedModelsDir, '..', 'routing');
const tasks = ['arc_challenge', 'mbpp', 'winograde'];
const load = async (name: string) => parseOutcomeLines(await readFile(join(routingDir, `${name}.jsonl`), 'utf8')).lines.map((l) => l.outcome);
const ms = (v: number | null) => `${(v ?? NaN).toFixed(3)} ms`;
const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};

// 1. Decision time.
{
  const train = (await Promise.all(tasks.map((t) => load(`${t}_train`)))).flat();
  const test = (await Promise.all(tasks.map((t) => load(`${t}_test`)))).flat();
  const quality = new QualityModel();
  // 10,000 outcomes: the training lines, repeated with a varying suffix as a user's history would vary.
  for (let i = 0; i < 10_000; i++) {
    const line = train[i % train.length]!;
    quality.add(toSample({ ...line, prompt: `${line.prompt} (${i})` }));
  }
  const fitStarted = performance.now();
  quality.predict('warm up'); // indexes and calibrates once
  const fitMs = performance.now() - fitStarted;
  const models = quality.modelIds();
  const candidates: CandidateProfile[] = Array.from({ length: 50 }, (_, i) => ({
    modelId: models[i] ?? `provider${i % 5}/model-${i}`,
    kind: i < 5 ? 'local' : 'cloud',
    provider: i < 5 ? null : `provider${i % 5}`,
    contextWindow: i % 7 === 0 ? 4096 : 128_000,
    tools: i % 3 !== 0,
    json: true,
    price: i < 5 ? null : { input: 0.1 * (i % 10), output: 0.4 * (i % 10) },
    priorQuality: 0.5 + (i % 10) / 25,
    expectedTtftMs: 300 + i * 10,
    expectedTokensPerSec: 20 + i,
  }));
  const representTimes: number[] = [];
  const searchTimes: number[] = [];
  const predictTimes: number[] = [];
  const policyTimes: number[] = [];
  const n = Number(values.decisions);
  for (let i = 0; i < n; i++) {
    const prompt = test[i % test.length]!.prompt;
    let started = performance.now();
    const timings = { representMs: 0, searchMs: 0 };
    const predictions = quality.predict(prompt, undefined, timings);
    predictTimes.push(performance.now() - started);
    representTimes.push(timings.representMs);
    searchTimes.push(timings.searchMs);
    started = performance.now();
    decideRoute({
      features: { promptTokens: Math.ceil(prompt.length / 4), maxOutputTokens: 1024, needsTools: false, needsJsonSchema: false, localOnly: false, looksLikeCode: false, collectionIds: [] },
      prompt,
      priority: 'balanced',
      rules: [{ id: 'r', enabled: true, when: { type: 'tokens-over', tokens: 100_000 }, then: { type: 'local' } }],
      candidates,
      predictions,
      budgetRefusal: () => null,
      circuitRefusal: () => null,
    });
    policyTimes.push(performance.now() - started);
  }
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
  const total = sorted(predictTimes.map((p, i) => p + policyTimes[i]!));
  const withoutRepresentation = sorted(predictTimes.map((p, i) => p - representTimes[i]! + policyTimes[i]!));
  say('## Decision time (50 candidates, 10,000 outcomes, lexical representation)');
  say();
  say(`One-time indexing and calibration of 10,000 outcomes: ${fitMs.toFixed(0)} ms`);
  say();
  say('| part | p50 | p99 |');
  say('|---|---|---|');
  say(`| the prompt's representation (TF-IDF vector; an embedding when one is used), apart | ${ms(percentile(sorted(representTimes), 0.5))} | ${ms(percentile(sorted(representTimes), 0.99))} |`);
  say(`| neighbour search and quality prediction | ${ms(percentile(sorted(searchTimes), 0.5))} | ${ms(percentile(sorted(searchTimes), 0.99))} |`);
  say(`| policy (hard rules, pinned rules, scoring) | ${ms(percentile(sorted(policyTimes), 0.5))} | ${ms(percentile(sorted(policyTimes), 0.99))} |`);
  say(`| **decision** (all but the representation; target p99 ≤ 2 ms) | ${ms(percentile(withoutRepresentation, 0.5))} | **${ms(percentile(withoutRepresentation, 0.99))}** |`);
  say(`| everything | ${ms(percentile(total, 0.5))} | ${ms(percentile(total, 0.99))} |`);
  say();
}

// 2. Auto's added time to first token.
{
  const server = await startFakeOpenAI({ apiKey: 'sk-bench-0123456789abcdef' });
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-bench-router-'));
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { 'fake/gpt-test': { input: 1, output: 2 } } }));
  const core = await createCore({ dataDir, mode: 'cli', version: 'bench', logger: createLogger('error') });
  try {
    await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: 'sk-bench-0123456789abcdef' });
    await core.settings.update({ routing: { ...core.settings.get().routing, defaultPriority: 'quality', cache: { ...core.settings.get().routing.cache, enabled: false } } });
    const decision = await core.routing.decideText('Say hello', NO_ROUTE_CONTEXT);
    const chosen = decision.chosenModelId!;
    const ttft = async (model: { stream: (r: never, o: { signal: AbortSignal }) => AsyncIterable<{ type: string }> }, i: number) => {
      const started = performance.now();
      let first: number | null = null;
      for await (const part of model.stream({ messages: [{ role: 'user', text: `Say hello ${i}` }], maxTokens: 64 } as never, { signal: new AbortController().signal })) {
        if (part.type === 'text-delta' && first === null) first = performance.now() - started;
      }
      if (first === null) throw new Error('no text');
      return first;
    };
    const direct: number[] = [];
    const auto: number[] = [];
    const requests = Number(values.requests);
    for (let i = 0; i < requests + 40; i++) {
      const runDirect = async () => ttft((await core.providers.languageModel(chosen)) as never, i);
      const runAuto = async () => ttft((await core.resolveModel('auto')) as never, i);
      let d: number;
      let a: number;
      if (i % 2 === 0) {
        d = await runDirect();
        a = await runAuto();
      } else {
        a = await runAuto();
        d = await runDirect();
      }
      if (i >= 40) {
        direct.push(d);
        auto.push(a);
      }
    }
    const diffs = auto.map((v, i) => v - direct[i]!).sort((x, y) => x - y);
    const s = (v: number[]) => [...v].sort((x, y) => x - y);
    say(`## Auto's added time to first token (fake server on loopback, ${requests} pairs, picks ${chosen})`);
    say();
    say('| | p50 | p99 |');
    say('|---|---|---|');
    say(`| straight to ${chosen} | ${ms(percentile(s(direct), 0.5))} | ${ms(percentile(s(direct), 0.99))} |`);
    say(`| through auto | ${ms(percentile(s(auto), 0.5))} | ${ms(percentile(s(auto), 0.99))} |`);
    say(`| added by Auto (paired difference) | **${ms(percentile(diffs, 0.5))}** (target ≤ 1 ms) | ${ms(percentile(diffs, 0.99))} |`);
    say();
  } finally {
    await core.dispose();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// 3. route eval on the shared splits.
{
  say('## route eval on the shared splits (balanced priority)');
  say();
  say('| split | train / test | APGR | baseline APGR (similarity-weighted kNN) | strong calls for 50% | for 80% | balanced quality / cost | always-best quality / cost | oracle | seconds |');
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const task of tasks) {
    const [train, test] = [await load(`${task}_train`), await load(`${task}_test`)];
    const result = evaluateRouter(train, test);
    const baseline = evaluateRouter(train, test, 'balanced', { mode: 'neighbours' }).summary.pair.apgr;
    const { pair, choices, seconds } = result.summary;
    say(
      `| ${task} | ${result.summary.trainPrompts} / ${result.summary.testPrompts} | ${pair.apgr.toFixed(3)} | ${baseline.toFixed(3)} | ${(pair.strongShareFor50 * 100).toFixed(1)}% | ${(pair.strongShareFor80 * 100).toFixed(1)}% | ${choices.balanced.quality.toFixed(3)} / $${choices.balanced.costUsd.toFixed(6)} | ${choices['always-best'].quality.toFixed(3)} / $${choices['always-best'].costUsd.toFixed(6)} | ${choices.oracle.quality.toFixed(3)} | ${seconds.toFixed(2)} |`,
    );
  }
  say();
}
