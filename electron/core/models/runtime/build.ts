import { existsSync } from 'node:fs';
import { cp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CodedError } from '../../../../shared/ipc/errors';
import { BUILD_SCRIPT, PROBE_SCRIPT } from './child-scripts';
import { runNodeChild } from './node-child';

/** node-llama-cpp's package folder (its dist/, llama/ source and localBuilds/). */
export function nodeLlamaCppDir(): string {
  const require = createRequire(import.meta.url);
  // dist/index.js → the package root
  return dirname(dirname(require.resolve('node-llama-cpp')));
}

/** Progress 0..1 from a build log line: ninja's `[12/153]` or make's `[ 42%]`; null for other lines. */
export function progressOf(line: string): number | null {
  const ninja = /^\[(\d+)\/(\d+)\]/.exec(line);
  if (ninja) return Math.min(1, Number(ninja[1]) / Math.max(1, Number(ninja[2])));
  const make = /^\[\s*(\d{1,3})%\]/.exec(line);
  if (make) return Math.min(1, Number(make[1]) / 100);
  return null;
}

export interface BuildResult {
  folder: string;
  path: string;
  llamaCppRelease: string;
}

export interface BuildRunOptions {
  nlcDir?: string;
  /** Where finished builds are kept (`<data dir>/runtime/builds`). */
  buildsDir: string;
  onLine?: (line: string) => void;
  onProgress?: (progress: number) => void;
  signal?: AbortSignal;
}

/**
 * Compiles llama.cpp for this computer in a child process and moves the
 * result into `buildsDir/<folder>` (outside node_modules, which an
 * `npm install` replaces). Cancelling kills the build and removes its files.
 */
export async function runLocalBuild(options: BuildRunOptions): Promise<BuildResult> {
  const nlcDir = options.nlcDir ?? nodeLlamaCppDir();
  let folder: string | null = null;
  let release: string | null = null;
  const result = await runNodeChild(BUILD_SCRIPT, {
    env: { TANDEM_NLC_DIR: nlcDir },
    signal: options.signal,
    onLine: (line) => {
      if (line.startsWith('TANDEM_BUILD_FOLDER ')) folder = line.slice('TANDEM_BUILD_FOLDER '.length).trim();
      else if (line.startsWith('TANDEM_BUILD_DONE ')) release = line.slice('TANDEM_BUILD_DONE '.length).trim();
      else options.onLine?.(line);
      const progress = progressOf(line);
      if (progress !== null) options.onProgress?.(progress);
    },
  });
  const workDir = folder ? join(nlcDir, 'llama', 'localBuilds', folder) : null;
  const cleanWork = async () => {
    if (!workDir) return;
    await rm(workDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    await rm(`${workDir}.lock`, { recursive: true, force: true }).catch(() => undefined);
  };
  if (options.signal?.aborted) {
    await cleanWork();
    throw new CodedError('CANCELLED', 'The build was cancelled');
  }
  if (result.code !== 0 || !folder || !release) {
    await cleanWork();
    const last = result.tail.filter((l) => /error|not found|could not|failed/i.test(l)).slice(-3).join(' / ') || result.tail.slice(-3).join(' / ');
    throw new CodedError('INTERNAL', `The build failed${result.signal ? ` (${result.signal})` : ` (exit code ${result.code})`}: ${last || 'no output'}`);
  }
  const built = join(workDir!, 'Release');
  if (!existsSync(join(built, 'llama-addon.node'))) {
    await cleanWork();
    throw new CodedError('INTERNAL', 'The build finished without llama-addon.node');
  }
  const target = join(options.buildsDir, folder);
  const staging = `${target}.partial`;
  await rm(staging, { recursive: true, force: true });
  await cp(built, staging, { recursive: true, verbatimSymlinks: true });
  await rm(target, { recursive: true, force: true, maxRetries: 3 });
  await rename(staging, target);
  await cleanWork();
  return { folder, path: target, llamaCppRelease: release };
}

export interface ProbeResult {
  tokens: number[];
  systemInfo: string;
}

/**
 * Greedy tokens of `modelPath` with a binary ('prebuilt' or a build folder),
 * in a child process: a binary that crashes or hangs fails the probe, never
 * the app.
 */
export async function probeBinary(binary: string, modelPath: string, tokens: number, options: { nlcDir?: string; timeoutMs?: number } = {}): Promise<ProbeResult> {
  const result = await runNodeChild(PROBE_SCRIPT, {
    env: { TANDEM_NLC_DIR: options.nlcDir ?? nodeLlamaCppDir(), TANDEM_BINARY: binary, TANDEM_MODEL: modelPath, TANDEM_TOKENS: String(tokens) },
    timeoutMs: options.timeoutMs ?? 120_000,
    tailLines: 40,
  });
  const line = result.tail.find((l) => l.startsWith('TANDEM_PROBE '));
  if (result.code !== 0 || !line) {
    const why = result.signal ? `it crashed (${result.signal})` : `it exited with code ${result.code}`;
    const detail = result.tail.filter((l) => !l.startsWith('    at ')).slice(-2).join(' / ');
    throw new Error(`${why}${detail ? `: ${detail.slice(0, 400)}` : ''}`);
  }
  return JSON.parse(line.slice('TANDEM_PROBE '.length)) as ProbeResult;
}

export interface CheckOutcome {
  ok: boolean;
  reason: string | null;
  systemInfo: string | null;
  tokens: number;
}

/**
 * Checks a local build: it must load `modelPath` and produce the same greedy
 * tokens as the prebuilt for `tokens` tokens.
 */
export async function checkBuild(buildPath: string, modelPath: string, tokens = 16, options: { nlcDir?: string; reference?: number[] } = {}): Promise<CheckOutcome> {
  let reference = options.reference;
  if (!reference) {
    try {
      reference = (await probeBinary('prebuilt', modelPath, tokens, options)).tokens;
    } catch (error) {
      return { ok: false, reason: `The prebuilt runtime could not run the check model: ${(error as Error).message}`, systemInfo: null, tokens: 0 };
    }
  }
  let local: ProbeResult;
  try {
    local = await probeBinary(buildPath, modelPath, tokens, options);
  } catch (error) {
    return { ok: false, reason: `The build could not run a model: ${(error as Error).message}`, systemInfo: null, tokens: 0 };
  }
  const same = local.tokens.length === reference.length && local.tokens.every((t, i) => t === reference![i]);
  if (!same) {
    const at = local.tokens.findIndex((t, i) => t !== reference![i]);
    return {
      ok: false,
      reason: `The build's output differs from the prebuilt's (greedy token ${at === -1 ? Math.min(local.tokens.length, reference.length) + 1 : at + 1} of ${reference.length})`,
      systemInfo: local.systemInfo,
      tokens: reference.length,
    };
  }
  return { ok: true, reason: null, systemInfo: local.systemInfo, tokens: reference.length };
}

/** The llama.cpp release a build folder was made from (its build metadata). */
export async function buildRelease(buildPath: string): Promise<string | null> {
  try {
    const metadata = JSON.parse(await readFile(join(buildPath, '_nlcBuildMetadata.json'), 'utf8')) as { buildOptions?: { llamaCpp?: { release?: string } } };
    return metadata.buildOptions?.llamaCpp?.release ?? null;
  } catch {
    return null;
  }
}
