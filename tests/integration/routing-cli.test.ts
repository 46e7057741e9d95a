import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RouteDecisionSchema, UsageSummarySchema, type RouteDecision } from '../../shared/ipc/routes/routing';
import { ProviderService } from '../../electron/core/providers/provider-service';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { repoRoot, requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/** `tandem route`, `route learn`, `route eval`, `chat --model auto`, `budget`, `usage` and `cache` as a person runs them. */

const KEY = 'sk-routing-cli-0123456789abcdef';
const PRICED = 'fake/gpt-test';
const sharedRouting = resolve(repoRoot, '..', 'shared', 'routing');
const temp = new TempDirs();
const running: TandemProcess[] = [];
let server: FakeOpenAIServer;
/** A data folder with the fake provider (priced); each test works in its own copy, so the tests run side by side. */
let template: string;

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({ apiKey: KEY });
  template = await temp.make('tandem-routing-cli-');
  await writeFile(join(template, 'pricing.json'), JSON.stringify({ models: { [PRICED]: { input: 2, output: 10 } } }));
  // Set up in-process (a `tandem` start costs about two CPU-seconds): the provider reads its key from FAKE_KEY, as a user's would.
  const providers = new ProviderService({ dataDir: template, logger: new RecordingLogger() });
  await providers.init();
  await providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKeyEnv: 'FAKE_KEY' });
  await providers.dispose();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await server?.close();
  await temp.removeAll();
});

function tandem(dir: string, ...args: string[]): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dir, '--models-dir', sharedModelsDir, ...args], { FAKE_KEY: KEY });
  running.push(process);
  return process;
}

/** Runs to the end; fails with its stderr unless it exits with `code`. */
async function run(dir: string, args: string[], code = 0): Promise<TandemProcess> {
  const process = tandem(dir, ...args);
  expect((await process.waitForExit(30_000)).code, `tandem ${args.join(' ')}\n${process.stderr()}`).toBe(code);
  return process;
}

/** A copy of the template data folder (the provider and its prices), for one test. */
async function withProvider(): Promise<string> {
  const dir = await temp.make('tandem-routing-cli-copy-');
  await cp(template, dir, { recursive: true });
  return dir;
}

async function decide(dir: string, prompt: string): Promise<RouteDecision> {
  return RouteDecisionSchema.parse(JSON.parse((await run(dir, ['route', prompt, '--json'])).stdout()));
}

/** Whether any request the fake provider received mentions `text`. */
const sent = (text: string) => JSON.stringify(server.bodies).includes(text);

// Each test has its own data folder: they run side by side (each `tandem` start costs about two seconds).
describe.concurrent('routing commands', () => {
  describe('tandem route', () => {
    test('route learn reports a malformed line as FILE:LINE and learns the rest; route --json then prints a decision that uses it, sending nothing', async () => {
      const prompt = 'Translate this sentence into Klingon please';
      const dir = await withProvider();
      const file = join(dir, 'outcomes.jsonl');
      await writeFile(
        file,
        [
          JSON.stringify({ prompt, outcomes: { [PRICED]: { score: 1 }, [storiesModelId]: { score: 0 } } }),
          '{"prompt": "broken line", "outcomes": ',
          JSON.stringify({ prompt: `${prompt} now`, outcomes: { [PRICED]: { score: 0.9 } } }),
          '',
        ].join('\n'),
      );
      const learn = await run(dir, ['route', 'learn', file]);
      expect(learn.stderr()).toContain(`${file}:2:`);
      expect(learn.stdout()).toBe('Learned 2 outcome lines; skipped 1 malformed.\n');
      const log = (await readFile(join(dir, 'routing', 'outcomes.jsonl'), 'utf8')).trim().split('\n');
      expect(log).toHaveLength(2);

      const after = await decide(dir, prompt);
      expect(after.chosenModelId).toBe(after.candidates.find((c) => c.excluded === null)?.modelId);
      expect(after.candidates.map((c) => c.modelId)).toEqual(expect.arrayContaining([PRICED, storiesModelId]));
      expect(after.candidates.find((c) => c.modelId === PRICED)!.estimatedCostUsd).toBeGreaterThan(0);
      expect(after.candidates.find((c) => c.modelId === PRICED)!.qualitySamples).toBeGreaterThan(0);
      expect(after.candidates.find((c) => c.modelId === storiesModelId)!.qualitySamples).toBeGreaterThan(0);
      expect(sent(prompt)).toBe(false);
    });

    test('route eval on the MBPP split prints models, one prediction per test prompt, and a summary that beats random', async () => {
      const train = join(sharedRouting, 'mbpp_train.jsonl');
      const testFile = join(sharedRouting, 'mbpp_test.jsonl');
      const evaluation = await run(await temp.make('tandem-routing-cli-eval-'), ['route', 'eval', '--train', train, '--test', testFile, '--json']);
      const result = JSON.parse(evaluation.stdout()) as { models: unknown[]; predictions: unknown[]; summary: { testPrompts: number; pair: { apgr: number } } };
      const testLines = (await readFile(testFile, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
      expect(result.models.length).toBeGreaterThan(1);
      expect(result.predictions).toHaveLength(testLines);
      expect(result.summary.testPrompts).toBe(testLines);
      expect(result.summary.pair.apgr).toBeGreaterThan(0.5);
    });
  });

  describe('tandem chat --model auto', () => {
    test('with only stories260K, Auto answers locally and names the model on stderr', async () => {
      const local = await temp.make('tandem-routing-cli-local-');
      const chat = await run(local, ['chat', '--model', 'auto', 'Once upon a time', '--max-tokens', '8']);
      expect(chat.stderr()).toContain(`tandem chat: Auto picked ${storiesModelId}`);
      expect(chat.stderr()).toContain(`answered by ${storiesModelId}`);
      expect(chat.stdout().trim().length).toBeGreaterThan(0);
    });
  });

  describe('tandem budget, usage and cache', () => {
    test('budget set --daily 2, then budget --json parses and shows the cap', async () => {
      const dir = await withProvider();
      const set = await run(dir, ['budget', 'set', '--daily', '2']);
      expect(set.stdout()).toContain('Budget saved.');
      const settings = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as { routing: { budget: { dailyUsd: number } } };
      expect(settings.routing.budget.dailyUsd).toBe(2);
      const budget = await run(dir, ['budget', '--json']);
      expect(() => JSON.parse(budget.stdout()) as unknown).not.toThrow();
      expect(budget.stdout()).toMatch(/"dailyUsd": 2\b/);
    });

    test('a cloud answer is cached (the repeat costs nothing) and counted by usage --json; cache clear empties it and the next ask reaches the server again', async () => {
      const dir = await withProvider();
      const prompt = 'Say hello to the cache';
      const count = () => server.bodies.filter((body) => JSON.stringify(body).includes(prompt)).length;
      const first = await run(dir, ['chat', '--model', PRICED, prompt]);
      expect(first.stdout()).toBe(`${REPLY}\n`);
      expect(count()).toBe(1);
      const again = await run(dir, ['chat', '--model', PRICED, prompt]);
      expect(again.stdout()).toBe(`${REPLY}\n`);
      expect(again.stderr()).toContain('answered from the response cache');
      expect(count()).toBe(1);

      const [usage, clear] = await Promise.all([run(dir, ['usage', '--json']), run(dir, ['cache', 'clear'])]);
      const summary = UsageSummarySchema.parse(JSON.parse(usage.stdout()));
      expect(summary.totals).toMatchObject({ requests: 2, errors: 0 });
      expect(summary.totals.costUsd).toBeGreaterThan(0);
      expect(summary.totals.savedUsd).toBeCloseTo(summary.totals.costUsd, 12);
      expect(summary.budget.spentTodayUsd).toBeCloseTo(summary.totals.costUsd, 12);
      expect(clear.stdout()).toBe('Removed 1 cached answer.\n');
      const after = await run(dir, ['chat', '--model', PRICED, prompt]);
      expect(after.stderr()).not.toContain('answered from the response cache');
      expect(count()).toBe(2);
    });
  });
});

const REPLY = FAKE_REPLY.join('');
