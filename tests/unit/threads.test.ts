import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { cpuCount, resolveThreads, type ThreadSetting } from '../../electron/core/models/threads';

const MB = 1024 * 1024;
const auto = { generation: 'auto', batch: 'auto' } as const;

describe('thread policy', () => {
  test('never more threads than cores, never fewer than one, whatever the setting', () => {
    const setting = fc.oneof(fc.constant<ThreadSetting>('auto'), fc.integer({ min: -10, max: 1000 }), fc.double({ min: 0, max: 300, noNaN: true }));
    fc.assert(
      fc.property(setting, setting, fc.nat({ max: 64 * 1024 * MB }), fc.integer({ min: 1, max: 256 }), (generation, batch, bytes, cores) => {
        const threads = resolveThreads({ generation, batch }, bytes, cores);
        for (const n of [threads.generation, threads.batch]) {
          expect(Number.isInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(cores);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a tiny model generates and embeds on one thread (2 threads were 3-7x slower embedding on 2 busy cores)', () => {
    expect(resolveThreads(auto, 1.2 * MB, 2)).toEqual({ generation: 1, batch: 1 });
    expect(resolveThreads(auto, 40 * MB, 16)).toEqual({ generation: 1, batch: 1 });
    expect(resolveThreads({ generation: 'auto', batch: 2 }, 1.2 * MB, 2)).toEqual({ generation: 1, batch: 2 });
  });

  test('a real-sized model generates on half the cores (one on 2 cores, where 2 threads halved the speed)', () => {
    expect(resolveThreads(auto, 4000 * MB, 2)).toEqual({ generation: 1, batch: 2 });
    expect(resolveThreads(auto, 700 * MB, 12)).toEqual({ generation: 6, batch: 12 });
    expect(resolveThreads(auto, 700 * MB, 1)).toEqual({ generation: 1, batch: 1 });
  });

  test('an explicit count is honoured up to the core count (not node-llama-cpp\'s default of 4 on 2 cores)', () => {
    expect(resolveThreads({ generation: 3, batch: 1 }, 4000 * MB, 8)).toEqual({ generation: 3, batch: 1 });
    expect(resolveThreads({ generation: 4, batch: 4 }, 4000 * MB, 2)).toEqual({ generation: 2, batch: 2 });
  });

  test('the default core count is this machine\'s', async () => {
    const { availableParallelism } = await import('node:os');
    expect(cpuCount()).toBe(Math.max(1, availableParallelism()));
    expect(resolveThreads(auto, 4000 * MB).batch).toBe(cpuCount());
    expect(resolveThreads(auto, 4000 * MB).generation).toBe(Math.max(1, Math.floor(cpuCount() / 2)));
  });
});
