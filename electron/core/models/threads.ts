import { availableParallelism } from 'node:os';

export type ThreadSetting = 'auto' | number;

/** Models smaller than this are dominated by thread start-up and barrier cost, so one thread generates (and embeds) fastest. */
const TINY_MODEL_BYTES = 64 * 1024 * 1024;

export function cpuCount(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Chooses threads from the real core count rather than node-llama-cpp's
 * default (4, even on 2 cores, which is hundreds of times slower there).
 * Never more threads than cores.
 * - Generation is memory-bound and this llama.cpp build starts its threads
 *   for every token (no persistent pool), so more threads soon cost more
 *   than they give: tiny models use one thread, others half the logical
 *   cores (about the physical cores on SMT machines). Measured on a 2-core
 *   VM: a 122 MB model made 125 tok/s on 1 thread and 67 on 2.
 * - Prompt processing and embedding (batch) is compute-bound and uses every
 *   core, except for tiny models: there a graph is too small to split, and
 *   2 threads on 2 cores spin at barriers whenever anything else runs (the
 *   index job parses on the main thread meanwhile). Measured (2-core VM,
 *   load ~4, 150–250-word chunks, interleaved): a 2.1 MB BERT 12 ms per chunk
 *   on 1 thread vs 83 on 2; a 42 MB one 210 vs 643.
 */
export function resolveThreads(
  setting: { generation: ThreadSetting; batch: ThreadSetting },
  modelBytes: number,
  cores = cpuCount(),
): { generation: number; batch: number } {
  const clamp = (n: number) => Math.min(Math.max(1, Math.floor(n)), cores);
  const generation =
    setting.generation === 'auto' ? (modelBytes < TINY_MODEL_BYTES ? 1 : Math.floor(cores / 2)) : setting.generation;
  const batch = setting.batch === 'auto' ? (modelBytes < TINY_MODEL_BYTES ? 1 : cores) : setting.batch;
  return { generation: clamp(generation), batch: clamp(batch) };
}
