import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ProviderService } from '../../electron/core/providers/provider-service';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/** `tandem lab run` as a person runs it: a JSONL file, models on the command line, progress on stderr, results on stdout. */

const KEY = 'sk-lab-cli-0123456789abcdef';
const RIGHT = 'fake/lab-right';
const FAILING = 'flaky/fault-500';
const temp = new TempDirs();
const running: TandemProcess[] = [];
let server: FakeOpenAIServer;
/** A data folder with both providers (keys from FAKE_KEY) and prices; each test copies it. */
let template: string;
let setFile: string;

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({ apiKey: KEY });
  server.script('lab-right', (body) => {
    const prompt = String((body.messages as { content: string }[]).at(-1)?.content ?? '');
    return { text: prompt.includes('capital') ? 'Paris' : '{"n": 3}' };
  });
  template = await temp.make('tandem-lab-cli-');
  await writeFile(join(template, 'pricing.json'), JSON.stringify({ models: { [RIGHT]: { input: 2, output: 10 } } }));
  const providers = new ProviderService({ dataDir: template, logger: new RecordingLogger() });
  await providers.init();
  await providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKeyEnv: 'FAKE_KEY' });
  await providers.add({ name: 'flaky', preset: 'custom', baseUrl: server.baseUrl, apiKeyEnv: 'FAKE_KEY' });
  await providers.dispose();
  setFile = join(await temp.make('tandem-lab-cli-set-'), 'smoke.jsonl');
  await writeFile(
    setFile,
    [
      { id: 'capital', prompt: 'What is the capital of France?', reference: 'Paris', grader: 'exact', maxTokens: 8 },
      { id: 'json', prompt: 'A number as JSON', grader: { type: 'json-schema', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } }, maxTokens: 16 },
    ]
      .map((t) => JSON.stringify(t))
      .join('\n'),
  );
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

async function run(dir: string, args: string[], code: number): Promise<TandemProcess> {
  const process = tandem(dir, ...args);
  expect((await process.waitForExit(40_000)).code, `tandem ${args.join(' ')}\n${process.stderr()}`).toBe(code);
  return process;
}

async function dataDir(): Promise<string> {
  const dir = await temp.make('tandem-lab-cli-copy-');
  await cp(template, dir, { recursive: true });
  return dir;
}

describe.concurrent('tandem lab run', () => {
  test('--json prints one object per model with the named fields; the estimate and a line per result go to stderr; a second run reuses the set and prints a table', async () => {
    const dir = await dataDir();
    const models = `${storiesModelId},${RIGHT},${FAILING}`;
    const first = await run(dir, ['lab', 'run', setFile, '--models', models, '--parallel', '2', '--json'], 0);
    const rows = JSON.parse(first.stdout()) as Record<string, unknown>[];
    expect(rows.map((r) => r.modelId)).toEqual([storiesModelId, RIGHT, FAILING]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['calls', 'costUsd', 'errors', 'modelId', 'peakMemoryBytes', 'quality', 'tokensPerSecond', 'totalMs', 'ttftMs', 'unpricedCalls'].sort());
    }
    const [stories, right, failing] = rows;
    expect(right).toMatchObject({ quality: 1, errors: 0, calls: 2, peakMemoryBytes: null });
    expect(right!.costUsd).toBeGreaterThan(0);
    expect(failing).toMatchObject({ quality: 0, errors: 2, calls: 2, ttftMs: null });
    expect(stories).toMatchObject({ errors: 0, calls: 2, costUsd: 0 });
    expect(stories!.peakMemoryBytes).toBeGreaterThan(0);
    expect(stories!.tokensPerSecond).toBeGreaterThan(0);

    const err = first.stderr();
    expect(err).toContain('Task set "smoke.jsonl": 2 tasks (imported)');
    expect(err).toMatch(/^Estimate: 6 calls, about \$[\d.]+ plus flaky\/fault-500 at an unknown price \(stories260K free; fake\/lab-right \$[\d.]+; flaky\/fault-500 price unknown\)$/m);
    const lines = err.split('\n').filter((l) => /^\[\d\/6\]/.test(l));
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => l.slice(0, 5)).sort()).toEqual(['[1/6]', '[2/6]', '[3/6]', '[4/6]', '[5/6]', '[6/6]']);
    expect(err).toMatch(/^\[\d\/6\] fake\/lab-right · capital {2}score 1\.00 {2}\d+ ms$/m);
    expect(err).toMatch(/^\[\d\/6\] flaky\/fault-500 · json {2}error SERVER: .+ {2}\d+ ms$/m);

    const second = await run(dir, ['lab', 'run', setFile, '--models', RIGHT], 0);
    expect(second.stderr()).toContain('Task set "smoke.jsonl": 2 tasks (imported before)');
    const table = second.stdout().split('\n');
    expect(table[0]).toBe('smoke.jsonl: 1 model × 1 run');
    expect(table[1]).toMatch(/^MODEL\s+QUALITY\s+TTFT\s+TOKENS\/S\s+TOTAL\s+PEAK MEMORY\s+COST\s+CALLS\s+ERRORS$/);
    expect(table[2]).toMatch(/^fake\/lab-right\s+1\.00\s.*\s2\s+0$/);
  });

  test('bad usage exits 2 with the usage line; a missing file exits 1 naming it', async () => {
    const dir = await dataDir();
    // Side by side: none of these starts a core.
    const [noModels, foreign, runs, missing] = await Promise.all([
      run(dir, ['lab', 'run', setFile], 2),
      run(dir, ['lab', 'run', setFile, '--models', RIGHT, '--port', '3'], 2),
      run(dir, ['lab', 'run', setFile, '--models', RIGHT, '--runs', '0'], 2),
      run(dir, ['lab', 'run', join(dir, 'nope.jsonl'), '--models', RIGHT], 1),
    ]);
    expect(noModels.stderr()).toMatch(/--models A,B is required/);
    expect(noModels.stderr()).toContain('Usage: tandem lab run SET.jsonl --models A,B');
    expect(foreign.stderr()).toContain('unknown option --port for `tandem lab run`'); // issue 15: the one options table
    expect(runs.stderr()).toMatch(/--runs must be a whole number/);
    expect(missing.stderr()).toMatch(/cannot read .*nope\.jsonl: no such file/);
  });

  test('Ctrl-C stops the run and still prints what finished', async () => {
    const dir = await dataDir();
    const slowSet = join(dir, 'slow.jsonl');
    await writeFile(slowSet, ['first', 'second', 'third'].map((p) => JSON.stringify({ prompt: p, reference: 'Hello' })).join('\n'));
    const process = tandem(dir, 'lab', 'run', slowSet, '--models', 'fake/gpt-test,fake/slow-test', '--parallel', '2', '--json');
    const deadline = Date.now() + 30_000;
    while (!/\[1\/6\] fake\/gpt-test/.test(process.stderr())) {
      if (Date.now() > deadline || !process.running) throw new Error(`no first result\n${process.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stoppedAt = Date.now();
    process.child.kill('SIGINT');
    expect((await process.waitForExit(10_000)).code).toBe(130);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    const rows = JSON.parse(process.stdout()) as { modelId: string; calls: number }[];
    expect(rows.find((r) => r.modelId === 'fake/gpt-test')!.calls).toBeGreaterThanOrEqual(1);
    expect(rows.find((r) => r.modelId === 'fake/slow-test')!.calls).toBe(0);
    expect(process.stderr()).toMatch(/Stopped: run [\w-]+ \(\d of 6 calls\)/);
  });
});
