import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getLlama, Llama, LlamaLogLevel } from 'node-llama-cpp';

export type LlamaLogger = (level: LlamaLogLevel, message: string) => void;

/** The prebuilt binaries that ship with node-llama-cpp (GPU ones first when gpu is 'auto'). */
export function loadPrebuiltLlama(gpu: 'auto' | false, logger: LlamaLogger): Promise<Llama> {
  return getLlama({ gpu, build: 'never', skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error, logger });
}

interface LlamaFactory {
  _create(options: Record<string, unknown>): Promise<Llama>;
}

/**
 * A Llama made from a build kept outside node_modules. node-llama-cpp only
 * loads local builds from its own `localBuilds` folder, so this does what its
 * getLlama does for one (load the addon, then `Llama._create`), pinned to
 * node-llama-cpp 3.22.x. The build's libraries carry their own version
 * suffix in their names (NLC_VARIANT), so they load beside the prebuilt's.
 */
export async function loadLocalLlama(buildPath: string, logger: LlamaLogger): Promise<Llama> {
  const bindingPath = join(buildPath, 'llama-addon.node');
  const buildMetadata = JSON.parse(await readFile(join(buildPath, '_nlcBuildMetadata.json'), 'utf8')) as unknown;
  const require = createRequire(import.meta.url);
  const bindings = require(bindingPath) as unknown;
  const factory = Llama as unknown as LlamaFactory;
  if (typeof factory._create !== 'function') throw new Error('this node-llama-cpp version cannot load a build from another folder');
  return factory._create({
    bindings,
    bindingPath,
    buildType: 'localBuild',
    buildMetadata,
    logLevel: LlamaLogLevel.error,
    logger,
    vramPadding: 0,
    ramPadding: (total: number) => Math.floor(Math.min(total * 0.25, 1024 ** 3 * (process.platform === 'linux' ? 1 : 6))),
    debug: false,
    numa: false,
    tempDir: false,
  });
}

/** Features ggml reports as on, from its system info ("AVX2 = 1 | FMA = 1 | …"). */
export function cpuFeatures(systemInfo: string | null): string[] {
  if (!systemInfo) return [];
  const features = new Set<string>();
  for (const match of systemInfo.matchAll(/([A-Za-z0-9_]+)\s*=\s*1\b/g)) features.add(match[1]!);
  return [...features];
}
