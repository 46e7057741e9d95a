import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireStoriesModel } from '../support/paths';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem runtime …` as a person runs it in a terminal (CI never compiles llama.cpp). */

const temp = new TempDirs();
const running: TandemProcess[] = [];
let dataDir: string;
let modelsDir: string;

beforeAll(async () => {
  const root = await temp.make('tandem-cli-runtime-');
  dataDir = join(root, 'data');
  modelsDir = join(root, 'models');
  await mkdir(modelsDir);
  await copyFile(requireStoriesModel(), join(modelsDir, 'stories260K.gguf'));
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

function tandem(args: string[], env: NodeJS.ProcessEnv = {}): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dataDir, '--models-dir', modelsDir, ...args], env);
  running.push(process);
  return process;
}

describe('tandem runtime', () => {
  test('info --json names the runtime in use, the CPU features and the toolchain', async () => {
    const info = tandem(['runtime', 'info', '--json']);
    expect((await info.waitForExit(90_000)).code, info.stderr()).toBe(0);
    const parsed = JSON.parse(info.stdout()) as { variant: string; active: { kind: string; label: string }; cpu: { features: string[] }; toolchain: { available: boolean } };
    expect(parsed.variant).toBe('auto');
    expect(parsed.active).toMatchObject({ kind: 'prebuilt' });
    expect(parsed.cpu.features.length).toBeGreaterThan(0);
    expect(typeof parsed.toolchain.available).toBe('boolean');
  });

  test('use local without a build is refused and the prebuilt stays; use prebuilt is saved in settings', async () => {
    const refused = tandem(['runtime', 'use', 'local']);
    const exit = await refused.waitForExit(90_000);
    expect(exit.code).toBe(1);
    expect(refused.stderr()).toMatch(/no build for this computer yet/i);
    const use = tandem(['runtime', 'use', 'prebuilt']);
    expect((await use.waitForExit(90_000)).code, use.stderr()).toBe(0);
    expect(use.stdout()).toMatch(/Runtime: prebuilt \(next model load: Prebuilt CPU\)/);
    const settings = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { runtime: { variant: string } };
    expect(settings.runtime.variant).toBe('prebuilt');
  });

  test('build without cmake or a compiler says what to install', async () => {
    const build = tandem(['runtime', 'build'], { PATH: '/nonexistent' });
    expect((await build.waitForExit(90_000)).code).toBe(1);
    expect(build.stderr()).toMatch(/UNSUPPORTED: Building needs CMake, a C\+\+ compiler.*build-essential cmake/);
  });

  test('a wrong subcommand prints the usage', async () => {
    const wrong = tandem(['runtime', 'use', 'fastest']);
    expect((await wrong.waitForExit(30_000)).code).toBe(2);
    expect(wrong.stderr()).toMatch(/tandem runtime info \[--json\]/);
  });
});
