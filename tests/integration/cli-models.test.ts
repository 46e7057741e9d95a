import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { requireStoriesModel } from '../support/paths';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem models …` as a person runs it in a terminal. */

const temp = new TempDirs();
const running: TandemProcess[] = [];
let dataDir: string;
let modelsDir: string;

beforeAll(async () => {
  const root = await temp.make('tandem-cli-models-');
  dataDir = join(root, 'data');
  modelsDir = join(root, 'models');
  await mkdir(modelsDir);
  await copyFile(requireStoriesModel(), join(modelsDir, 'stories260K.gguf'));
  await writeTinyBertGguf(join(modelsDir, 'tiny-bert.gguf'));
  await writeFile(join(modelsDir, 'broken.gguf'), 'not a model');
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

function tandem(...args: string[]): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dataDir, '--models-dir', modelsDir, ...args]);
  running.push(process);
  return process;
}

describe('tandem models', () => {
  test('list prints a table with what matters before loading, broken files included', async () => {
    const list = tandem('models', 'list');
    expect((await list.waitForExit(60_000)).code, list.stderr()).toBe(0);
    const lines = list.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+ARCH\s+PARAMS\s+QUANT\s+CONTEXT\s+SIZE/);
    const stories = lines.find((line) => line.startsWith('stories260K'));
    expect(stories).toMatch(/llama\s+293K\s+F32\s+2048\s+1\.1 MiB\s+no template\s+no\s+ok$/);
    expect(lines.find((line) => line.startsWith('tiny-bert'))).toMatch(/bert .*embed/);
    expect(lines.find((line) => line.startsWith('broken'))).toMatch(/broken: not a GGUF file/);
  });

  test('list --json gives the details as data', async () => {
    const list = tandem('models', 'list', '--json');
    expect((await list.waitForExit(60_000)).code, list.stderr()).toBe(0);
    const models = JSON.parse(list.stdout()) as { id: string; parameterCount?: number; problem: string | null }[];
    expect(models.map((m) => m.id).sort()).toEqual(['broken', 'stories260K', 'tiny-bert']);
    expect(models.find((m) => m.id === 'stories260K')?.parameterCount).toBe(292_800);
  });

  test('inspect shows the details and the fit at a chosen context size', async () => {
    const inspect = tandem('models', 'inspect', 'stories260K', '--context-size', '512');
    expect((await inspect.waitForExit(60_000)).code, inspect.stderr()).toBe(0);
    const out = inspect.stdout();
    expect(out).toMatch(/^architecture\s+llama$/m);
    expect(out).toMatch(/^trained context\s+2048$/m);
    expect(out).toMatch(/^quantization\s+F32$/m);
    expect(out).toMatch(/^chat template\s+no$/m);
    expect(out).toMatch(/^fit\s+fits at context 512, 0\/6 layers on the GPU/m);
  });

  test('inspect of a missing or broken model exits 1 with the code; bad usage exits 2', async () => {
    const missing = tandem('models', 'inspect', 'no-such-model');
    expect((await missing.waitForExit(60_000)).code).toBe(1);
    expect(missing.stderr()).toContain('MODEL_NOT_FOUND');
    const broken = tandem('models', 'inspect', 'broken');
    expect((await broken.waitForExit(60_000)).code).toBe(1);
    expect(broken.stderr()).toContain('MODEL_LOAD_FAILED');
    const usage = tandem('models', 'frobnicate');
    expect((await usage.waitForExit(60_000)).code).toBe(2);
    const pull = tandem('models', 'pull');
    expect((await pull.waitForExit(60_000)).code).toBe(2);
    expect(pull.stderr()).toContain('give one hf: URI');
  });
});
