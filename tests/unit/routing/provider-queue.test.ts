import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ProviderLimits } from '../../../shared/ipc/routes/routing';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { DEFAULT_PROVIDER_LIMITS, ProviderQueue, providerLimitsFor } from '../../../electron/core/routing/provider-queue';
import { withQueue } from '../../../electron/core/routing/guarded-model';
import type { LanguageModel } from '../../../electron/core/models/language-model';

const queues: ProviderQueue[] = [];
function queueWith(limits: ProviderLimits): ProviderQueue {
  const queue = new ProviderQueue({ limits: () => limits });
  queues.push(queue);
  return queue;
}

afterEach(() => {
  for (const queue of queues.splice(0)) queue.dispose();
  vi.useRealTimers();
});

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProviderQueue', () => {
  test('serves waiters first in, first out within the concurrency limit, and reports positions as they change', async () => {
    const queue = queueWith({ concurrency: 2, requestsPerMinute: 1000 });
    const order: string[] = [];
    const positions: Record<string, number[]> = { c: [], d: [], e: [] };
    const a = await queue.acquire('acme');
    const b = await queue.acquire('acme');
    const waiting = ['c', 'd', 'e'].map((name) =>
      queue.acquire('acme', { onPosition: (p) => positions[name]!.push(p) }).then((release) => {
        order.push(name);
        return release;
      }),
    );
    await flush();
    expect(order).toEqual([]);
    expect(positions).toEqual({ c: [1], d: [2], e: [3] });
    expect(queue.stats()).toEqual({ acme: { active: 2, waiting: 3 } });
    a();
    a(); // idempotent: frees one slot, not two
    await flush();
    expect(order).toEqual(['c']);
    expect(positions).toEqual({ c: [1], d: [2, 1], e: [3, 2] });
    b();
    await flush();
    expect(order).toEqual(['c', 'd']);
    expect(positions.e).toEqual([3, 2, 1]);
    const [c, d] = await Promise.all([waiting[0]!, waiting[1]!]);
    c();
    const e = await waiting[2]!;
    expect(order).toEqual(['c', 'd', 'e']);
    d();
    e();
    expect(queue.stats()).toEqual({});
  });

  test('providers have separate lines', async () => {
    const queue = queueWith({ concurrency: 1, requestsPerMinute: 1000 });
    await queue.acquire('acme');
    await expect(queue.acquire('other')).resolves.toBeTypeOf('function');
  });

  test('aborting a waiter rejects it with CANCELLED and moves those behind it up', async () => {
    const queue = queueWith({ concurrency: 1, requestsPerMinute: 1000 });
    const first = await queue.acquire('acme');
    const controller = new AbortController();
    const positions: number[] = [];
    const aborted = queue.acquire('acme', { signal: controller.signal });
    const next = queue.acquire('acme', { onPosition: (p) => positions.push(p) });
    await flush();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(positions).toEqual([2, 1]);
    first();
    await expect(next).resolves.toBeTypeOf('function');
  });

  test('the requests-per-minute limit holds a sliding 60 s window', async () => {
    vi.useFakeTimers({ now: 0 });
    const queue = queueWith({ concurrency: 10, requestsPerMinute: 2 });
    (await queue.acquire('acme'))();
    await vi.advanceTimersByTimeAsync(20_000);
    (await queue.acquire('acme'))();
    let third = false;
    const waiting = queue.acquire('acme').then((release) => {
      third = true;
      return release;
    });
    await vi.advanceTimersByTimeAsync(39_999);
    expect(third).toBe(false); // the first start is 59.999 s old
    await vi.advanceTimersByTimeAsync(1);
    expect(third).toBe(true);
    (await waiting)();
    // Two starts (t=20 s and t=60 s) are in the window until t=80 s.
    let fourth = false;
    void queue.acquire('acme').then(() => (fourth = true));
    await vi.advanceTimersByTimeAsync(19_999);
    expect(fourth).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(fourth).toBe(true);
  });

  test('dispose rejects the waiters and is idempotent', async () => {
    const queue = queueWith({ concurrency: 1, requestsPerMinute: 1000 });
    await queue.acquire('acme');
    const waiting = queue.acquire('acme');
    queue.dispose();
    queue.dispose();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  test('defaults per preset: hosted APIs share a line of 8 under 500 a minute, local servers take one at a time, own servers batch', () => {
    expect(DEFAULT_PROVIDER_LIMITS.openai).toEqual({ concurrency: 8, requestsPerMinute: 500 });
    expect(DEFAULT_PROVIDER_LIMITS.custom).toEqual({ concurrency: 16, requestsPerMinute: 10_000 });
    expect(DEFAULT_PROVIDER_LIMITS.ollama).toEqual({ concurrency: 1, requestsPerMinute: 10_000 });
    expect(providerLimitsFor('mine', 'lmstudio', {})).toEqual({ concurrency: 1, requestsPerMinute: 10_000 });
    expect(providerLimitsFor('mine', 'lmstudio', { mine: { concurrency: 3, requestsPerMinute: 5 } })).toEqual({ concurrency: 3, requestsPerMinute: 5 });
  });
});

function gated(): LanguageModel & { open: () => void; calls: number } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const model = {
    id: 'acme/slow',
    calls: 0,
    open: () => open(),
    async *stream(): AsyncIterable<StreamPart> {
      model.calls += 1;
      await gate;
      yield { type: 'text-delta', text: 'done' };
      yield { type: 'finish', reason: 'stop' };
    },
  };
  return model;
}

async function collect(model: LanguageModel, signal = new AbortController().signal, onPart?: (part: StreamPart) => void): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream({ messages: [{ role: 'user', text: 'hi' }] }, { signal })) {
    parts.push(part);
    onPart?.(part);
  }
  return parts;
}

describe('withQueue', () => {
  test('a request waiting for a slot shows queued parts, then streams once the slot frees; slots are given back', async () => {
    const queue = queueWith({ concurrency: 1, requestsPerMinute: 1000 });
    const model = gated();
    const guarded = withQueue(model, 'acme', queue);
    expect(guarded.id).toBe('acme/slow');
    const first = collect(guarded);
    await flush();
    const secondParts: StreamPart[] = [];
    const second = collect(guarded, undefined, (p) => secondParts.push(p));
    await flush();
    expect(secondParts).toEqual([{ type: 'queued', provider: 'acme', position: 1 }]);
    expect(model.calls).toBe(1);
    model.open();
    expect(await first).toEqual([{ type: 'text-delta', text: 'done' }, { type: 'finish', reason: 'stop' }]);
    expect(await second).toEqual([
      { type: 'queued', provider: 'acme', position: 1 },
      { type: 'text-delta', text: 'done' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(queue.stats()).toEqual({});
  });

  test('cancelled while waiting: finish cancelled, the model is never called, and the line moves on', async () => {
    const queue = queueWith({ concurrency: 1, requestsPerMinute: 1000 });
    const model = gated();
    const guarded = withQueue(model, 'acme', queue);
    const first = collect(guarded);
    await flush();
    const controller = new AbortController();
    const cancelled = collect(guarded, controller.signal);
    await flush();
    controller.abort();
    expect(await cancelled).toEqual([{ type: 'queued', provider: 'acme', position: 1 }, { type: 'finish', reason: 'cancelled' }]);
    expect(model.calls).toBe(1);
    expect(queue.stats()).toEqual({ acme: { active: 1, waiting: 0 } });
    model.open();
    await first;
    expect(queue.stats()).toEqual({});
  });

  test('a consumer that stops reading while queued leaves the line', async () => {
    const queue = queueWith({ concurrency: 1, requestsPerMinute: 1000 });
    const model = gated();
    const guarded = withQueue(model, 'acme', queue);
    const first = collect(guarded);
    await flush();
    for await (const part of guarded.stream({ messages: [] }, { signal: new AbortController().signal })) {
      expect(part.type).toBe('queued');
      break;
    }
    await flush();
    expect(queue.stats()).toEqual({ acme: { active: 1, waiting: 0 } });
    model.open();
    await first;
    await flush();
    expect(queue.stats()).toEqual({});
  });
});
