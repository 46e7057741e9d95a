import { describe, expect, test } from 'vitest';
import { SerialQueue } from '../../electron/core/chats/serial-queue';
import { AsyncQueue } from '../../electron/core/models/async-queue';
import { sleep } from '../support/wait';

describe('SerialQueue', () => {
  test('runs tasks one at a time, in the order they were queued', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run(task('a', 20)), queue.run(task('b', 1)), queue.run(task('c', 5))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('a failing task rejects its own caller and does not block the next one', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('disk full');
    });
    const next = queue.run(async () => 'written');
    await expect(failed).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('written');
  });

  test('idle() waits for everything queued so far, even after a failure', async () => {
    const queue = new SerialQueue();
    let done = 0;
    void queue.run(async () => {
      await sleep(10);
      done++;
    });
    queue.run(async () => {
      throw new Error('boom');
    }).catch(() => undefined);
    void queue.run(async () => {
      await sleep(5);
      done++;
    });
    await queue.idle();
    expect(done).toBe(2);
  });
});

describe('AsyncQueue', () => {
  test('delivers pushed items in order to a for-await loop and ends on close', async () => {
    const queue = new AsyncQueue<number>();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const item of queue) seen.push(item);
    })();
    queue.push(1);
    queue.push(2);
    await sleep(1);
    queue.push(3);
    queue.close();
    queue.push(4); // after close: dropped
    await reading;
    expect(seen).toEqual([1, 2, 3]);
  });
});
