import { availableParallelism } from 'node:os';

export type ThreadSetting = 'auto' | number;

/** Models smaller than this are dominated by thread start-up cost, so one thread generates fastest. */
const TINY_MODEL_BYTES = 64 * 1024 * 1024;

export function cpuCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Chooses threads from the real core count rather than node-llama-cpp's
 * default (4, even on 2 cores, which is hundreds of times slower there).
 * Never more threads than cores. For tiny models one thread is fastest for
 * generation (llama.cpp has no persistent pool, so each token pays a spawn);
 * larger models are compute-bound and use every core. Prompt processing
 * (batch) always benefits from every core.
 */
export function resolveThreads(
  setting: { generation: ThreadSetting; batch: ThreadSetting },
  modelBytes: number,
  cores = cpuCount(),
): { generation: number; batch: number } {
  const clamp = (n: number) => Math.min(Math.max(1, Math.floor(n)), cores);
  const generation =
    setting.generation === 'auto' ? (modelBytes < TINY_MODEL_BYTES ? 1 : cores) : clamp(setting.generation);
  const batch = setting.batch === 'auto' ? cores : clamp(setting.batch);
  return { generation: clamp(generation), batch };
}
