import { describe, expect, test } from 'vitest';
import { GenerationScheduler } from '../../electron/core/models/generation-scheduler';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GenerationScheduler', () => {
  test('work on one key runs up to its capacity at once; other keys wait their turn, first come first served', async () => {
    const capacity = new Map([['a', 2], ['b', 1]]);
    const scheduler = new GenerationScheduler((key) => capacity.get(key) ?? 1);
    const order: string[] = [];
    const a1 = await scheduler.acquire('a');
    const a2 = await scheduler.acquire('a');
    const a3 = scheduler.acquire('a').then((release) => (order.push('a3'), release));
    const b1 = scheduler.acquire('b').then((release) => (order.push('b1'), release));
    const a4 = scheduler.acquire('a').then((release) => (order.push('a4'), release));
    await tick();
    expect(scheduler.activeOn('a')).toBe(2);
    expect(order).toEqual([]);
    a1();
    await tick();
    // a3 takes the free slot; b waits for a to be idle, and a4 (behind b) waits for b
    expect(order).toEqual(['a3']);
    a2();
    (await a3)();
    await tick();
    expect(order).toEqual(['a3', 'b1']);
    (await b1)();
    await tick();
    expect(order).toEqual(['a3', 'b1', 'a4']);
    (await a4)();
    await scheduler.idle();
  });

  test('an aborted waiter leaves the queue at once and lets the ones behind it go', async () => {
    const scheduler = new GenerationScheduler(() => 1);
    const first = await scheduler.acquire('a');
    const controller = new AbortController();
    const waiting = scheduler.acquire('b', controller.signal);
    const behind = scheduler.acquire('a');
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    first();
    (await behind)();
    await scheduler.idle();
    await expect(scheduler.acquire('a', AbortSignal.abort())).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  test('a key whose capacity grows (its model loaded) lets its waiters in on pump()', async () => {
    let capacity = 1;
    const scheduler = new GenerationScheduler(() => capacity);
    const first = await scheduler.acquire('a');
    let started = false;
    const second = scheduler.acquire('a').then((release) => ((started = true), release));
    await tick();
    expect(started).toBe(false);
    capacity = 4;
    scheduler.pump();
    await tick();
    expect(started).toBe(true);
    first();
    (await second)();
    await scheduler.idle();
  });
});
