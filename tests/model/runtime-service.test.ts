import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkBuild, nodeLlamaCppDir, type BuildRunOptions, type BuildResult } from '../../electron/core/models/runtime/build';
import { RuntimeService, type RuntimeServiceOptions } from '../../electron/core/models/runtime/runtime-service';
import { runNodeChild } from '../../electron/core/models/runtime/node-child';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import type { LocalModel } from '../../shared/ipc/domain';
import type { RuntimeVariant, ToolchainStatus } from '../../shared/ipc/routes/runtime';
import { requireStoriesModel } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * "Build for this computer" without compiling: CI never builds llama.cpp, so
 * builds here are fakes (a garbage binary) or a cached real one when this
 * machine has it (TANDEM_LOCAL_BUILD, or ~/.cache/tandem-runtime/builds/*).
 */

const temp = new TempDirs();
let modelsDir: string;
let stories: LocalModel;
const TOOLCHAIN: ToolchainStatus = { available: true, cmake: 'cmake version 3.25.1', compiler: 'c++ (test)', missing: [], installHint: null };
const bundledRelease = (JSON.parse(await readFile(join(nodeLlamaCppDir(), 'llama', 'binariesGithubRelease.json'), 'utf8')) as { release: string }).release;

function cachedBuild(): string | null {
  if (process.env.TANDEM_LOCAL_BUILD) return existsSync(join(process.env.TANDEM_LOCAL_BUILD, 'llama-addon.node')) ? process.env.TANDEM_LOCAL_BUILD : null;
  const root = join(homedir(), '.cache', 'tandem-runtime', 'builds');
  if (!existsSync(root)) return null;
  for (const name of readdirSync(root)) if (existsSync(join(root, name, 'llama-addon.node'))) return join(root, name);
  return null;
}

beforeAll(async () => {
  modelsDir = await temp.make('tandem-runtime-models-');
  await copyFile(requireStoriesModel(), join(modelsDir, 'stories260K.gguf'));
  stories = await new ModelLibrary(() => [modelsDir]).resolve(join(modelsDir, 'stories260K.gguf'));
});

afterAll(async () => {
  await temp.removeAll();
});

/** A garbage "build": what a broken compiler or a half-copied folder leaves. */
async function garbageBuild(options: BuildRunOptions): Promise<BuildResult> {
  const path = join(options.buildsDir, 'linux-x64-garbage');
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'llama-addon.node'), Buffer.from('this is not a shared library'));
  await writeFile(join(path, '_nlcBuildMetadata.json'), JSON.stringify({ buildOptions: { llamaCpp: { repo: 'ggml-org/llama.cpp', release: bundledRelease } } }));
  options.onLine?.('[1/2] Building CXX object fake.o');
  options.onProgress?.(0.5);
  return { folder: 'linux-x64-garbage', path, llamaCppRelease: bundledRelease };
}

async function setup(overrides: Partial<RuntimeServiceOptions> = {}, dir?: string) {
  const dataDir = dir ?? (await temp.make('tandem-runtime-data-'));
  let variant: RuntimeVariant = 'auto';
  const logger = new RecordingLogger();
  const service = new RuntimeService({
    dir: join(dataDir, 'runtime'),
    logger,
    gpu: false,
    variant: () => variant,
    setVariant: async (next) => {
      variant = next;
    },
    checkModel: async () => stories.path,
    detectToolchain: async () => TOOLCHAIN,
    calibration: { generationTokens: 8, promptTokens: 32, budgetMs: 2000 },
    ...overrides,
  });
  await service.init();
  const runtime = new LocalRuntime({
    logger,
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    contextSize: () => 256,
    loadLlama: (llamaLogger) => service.loadLlama(llamaLogger),
    measuredThreads: (info, model, signal) => service.threadsFor(info, model, signal),
  });
  service.attach({ backendLoaded: () => runtime.backendLoaded(), resetBackend: () => runtime.resetBackend(), backend: () => runtime.backend() });
  const dispose = async () => {
    await runtime.dispose();
    await service.dispose();
  };
  return { dataDir, service, runtime, logger, dispose, variant: () => variant };
}

async function answer(runtime: LocalRuntime): Promise<string> {
  let text = '';
  for await (const part of runtime.languageModel(stories).stream({ messages: [{ role: 'user', text: 'Once upon a time' }], maxTokens: 8, temperature: 0 }, { signal: new AbortController().signal })) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'error') throw new Error(part.message);
  }
  return text;
}

describe('a broken build never replaces the prebuilt', () => {
  test('a build whose binary is garbage fails its check; the prebuilt stays in use, with the reason', async () => {
    const { service, runtime, dispose } = await setup({ build: garbageBuild });
    try {
      const done = await service.build();
      expect(done.state).toBe('failed');
      expect(done.error).toMatch(/could not run a model.*prebuilt runtime stays in use/s);
      expect(done.log.some((line) => line.includes('[1/2]'))).toBe(true);
      const info = await service.info();
      expect(info.localBuild?.check?.ok).toBe(false);
      expect(info.active).toMatchObject({ kind: 'prebuilt', label: 'Prebuilt CPU' });
      expect(info.fallbackReason).toMatch(/failed its check/);
      expect(info.cpu.features.length).toBeGreaterThan(0);
      expect((await answer(runtime)).length).toBeGreaterThan(0);
      await expect(service.use('local')).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await dispose();
    }
  });

  test('a build whose greedy output differs from the prebuilt fails its check', async () => {
    // the prebuilt stands in for a build that loads but computes something else
    const wrong = async (_path: string, model: string, tokens: number) =>
      checkBuild('prebuilt', model, tokens, { reference: Array.from({ length: tokens }, (_, i) => 100 + i) });
    const { service, dispose } = await setup({ build: garbageBuild, check: wrong });
    try {
      const done = await service.build();
      expect(done.state).toBe('failed');
      expect(done.error).toMatch(/output differs from the prebuilt's \(greedy token 1 of 16\)/);
      expect((await service.info()).active.kind).toBe('prebuilt');
    } finally {
      await dispose();
    }
  });

  test('a build recorded as checked whose binary is now broken: loading falls back to the prebuilt and says why', async () => {
    const dataDir = await temp.make('tandem-runtime-data-');
    const path = join(dataDir, 'runtime', 'builds', 'linux-x64-broken');
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'llama-addon.node'), 'garbage');
    await writeFile(join(path, '_nlcBuildMetadata.json'), '{}');
    const checkedAt = new Date().toISOString();
    await writeFile(
      join(dataDir, 'runtime', 'state.json'),
      JSON.stringify({
        version: 1,
        localBuild: { folder: 'linux-x64-broken', path, llamaCppRelease: bundledRelease, builtAt: checkedAt, systemInfo: null, check: { ok: true, reason: null, model: stories.path, tokens: 16, checkedAt } },
      }),
    );
    const { service, runtime, dispose } = await setup({}, dataDir);
    try {
      expect((await answer(runtime)).length).toBeGreaterThan(0);
      const info = await service.info();
      expect(info.active.kind).toBe('prebuilt');
      expect(info.fallbackReason).toMatch(/could not be loaded/);
    } finally {
      await dispose();
    }
  });

  test('without cmake or a compiler the build is refused with what to install', async () => {
    const missing: ToolchainStatus = { available: false, cmake: null, compiler: null, missing: ['CMake', 'a C++ compiler'], installHint: 'Debian/Ubuntu: `sudo apt install build-essential cmake`' };
    const { service, dispose } = await setup({ detectToolchain: async () => missing });
    try {
      await expect(service.startBuild()).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/CMake, a C\+\+ compiler.*build-essential/) });
      expect((await service.info()).toolchain.installHint).toMatch(/build-essential cmake/);
    } finally {
      await dispose();
    }
  });

  test('a cancelled build leaves the prebuilt in use', async () => {
    const hanging = (options: BuildRunOptions) =>
      new Promise<BuildResult>((_resolve, reject) => {
        options.onLine?.('[1/153] Building CXX object addon.cpp.o');
        options.signal?.addEventListener('abort', () => reject(new Error('killed')));
      });
    const { service, dispose } = await setup({ build: hanging });
    try {
      const started = await service.startBuild();
      expect(started.build.state).toBe('building');
      await expect(service.startBuild()).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(service.cancelBuild()).toBe(true);
      await expect.poll(() => service.buildProgress().state).toBe('cancelled');
      expect((await service.info()).localBuild).toBeNull();
    } finally {
      await dispose();
    }
  });
});

describe('threads by measurement', () => {
  test('the first load measures threads per model and runtime; the next start reads them back', async () => {
    const first = await setup();
    let measuredAt: string;
    try {
      const status = await first.runtime.load(stories);
      const info = await first.service.info();
      expect(info.calibrations).toHaveLength(1);
      const [calibration] = info.calibrations;
      expect(calibration).toMatchObject({ modelName: 'stories260K', runtime: 'prebuilt' });
      expect(status.threads).toBe(calibration!.chatThreads);
      expect(calibration!.generationTps.every((tps) => tps > 0)).toBe(true);
      measuredAt = calibration!.measuredAt;
    } finally {
      await first.dispose();
    }
    const second = await setup({}, first.dataDir);
    try {
      await second.runtime.load(stories);
      const again = await second.service.info();
      expect(again.calibrations.map((c) => c.measuredAt)).toEqual([measuredAt]);
    } finally {
      await second.dispose();
    }
  });
});

describe('child processes', () => {
  test('a cancelled child is killed with what it started, its output streamed until then', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    const done = runNodeChild('console.log("[1/9] first"); setInterval(() => {}, 1000);', {
      env: {},
      signal: controller.signal,
      onLine: (line) => {
        lines.push(line);
        controller.abort();
      },
    });
    const result = await done;
    expect(lines).toEqual(['[1/9] first']);
    expect(result.signal).toBe('SIGKILL');
  });
});

const cached = cachedBuild();
describe.skipIf(!cached)('a cached real build for this computer', () => {
  test('passes its check (same greedy tokens as the prebuilt), is used from the next load, and answers', async () => {
    const reuse = async (options: BuildRunOptions): Promise<BuildResult> => {
      options.onProgress?.(1);
      return { folder: cached!.split(/[\\/]/).pop()!, path: cached!, llamaCppRelease: bundledRelease };
    };
    const { service, runtime, dispose, variant } = await setup({ build: reuse });
    try {
      // the prebuilt is in use first (a model is loaded on it)
      expect((await answer(runtime)).length).toBeGreaterThan(0);
      expect((await service.info()).active.kind).toBe('prebuilt');
      const done = await service.build();
      expect(done.state, done.error ?? '').toBe('succeeded');
      expect(variant()).toBe('auto');
      expect(await answer(runtime)).not.toBe('');
      const info = await service.info();
      expect(info.active).toMatchObject({ kind: 'local', label: 'Built for this computer' });
      expect(info.localBuild?.check).toMatchObject({ ok: true, tokens: 16 });
      expect(info.cpu.features).toContain('OPENMP');
      // and back
      await service.use('prebuilt');
      expect(await answer(runtime)).not.toBe('');
      expect((await service.info()).active.kind).toBe('prebuilt');
    } finally {
      await dispose();
    }
  });
});
