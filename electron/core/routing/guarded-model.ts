import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import type { CircuitBreaker } from './circuit-breaker';
import type { ProviderQueue, QueueRelease } from './provider-queue';
import type { CacheSettings, ResponseCache } from './response-cache';
import type { ModelCallInfo, SpendRecorder } from './types';

/*
 * Wrappers that guard a model without changing what it is: each returns a
 * LanguageModel with the same id. The intended order, outside in:
 * withCache(withCircuit(withQueue(model))) — a cache hit neither queues nor
 * touches the circuit, and a refused request never takes a queue slot.
 */

function wrap(model: LanguageModel, stream: LanguageModel['stream']): LanguageModel {
  return { id: model.id, stream };
}

/**
 * Refuses requests at once while the provider's circuit is open (one error
 * part, the inner model is never called), and reports each request's outcome
 * to the breaker: success on a normal finish, failure with the error's code.
 */
export function withCircuit(model: LanguageModel, provider: string, breaker: CircuitBreaker): LanguageModel {
  return wrap(model, async function* (request, options) {
    if (!breaker.allow(provider)) {
      yield { type: 'error', code: 'SERVER', message: refusal(provider, breaker), retryable: true };
      return;
    }
    let settled = false;
    try {
      for await (const part of model.stream(request, options)) {
        // Settle before yielding: the consumer may stop at this part.
        if (part.type === 'error') {
          breaker.failure(provider, part.code);
          settled = true;
        } else if (part.type === 'finish') {
          if (part.reason === 'cancelled' || part.reason === 'error') breaker.release(provider);
          else breaker.success(provider);
          settled = true;
        }
        yield part;
      }
    } finally {
      if (!settled) breaker.release(provider);
    }
  });
}

function refusal(provider: string, breaker: CircuitBreaker): string {
  const retryAt = breaker.snapshot()[provider]?.retryAt ?? null;
  const when = breaker.state(provider) === 'half-open' || retryAt === null ? 'the test request in flight' : new Date(retryAt).toTimeString().slice(0, 8);
  return `${provider} is failing (circuit open); retrying after ${when}`;
}

/**
 * Waits for a slot in the provider's queue before calling the model, showing
 * `queued` parts with the position while it waits; the slot is given back
 * when the stream ends however it ends. Cancelled while waiting: finish 'cancelled'.
 */
export function withQueue(model: LanguageModel, provider: string, queue: ProviderQueue): LanguageModel {
  return wrap(model, async function* (request, { signal }) {
    const local = new AbortController();
    const onAbort = () => local.abort(signal.reason);
    if (signal.aborted) local.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    const positions: number[] = [];
    let wake: (() => void) | null = null;
    let outcome: 'waiting' | 'granted' | 'refused' = 'waiting';
    let release: QueueRelease | null = null;
    const acquired = queue.acquire(provider, {
      signal: local.signal,
      onPosition: (position) => {
        positions.push(position);
        wake?.();
      },
    });
    acquired.then(
      (granted) => {
        release = granted;
        outcome = 'granted';
        wake?.();
      },
      () => {
        outcome = 'refused';
        wake?.();
      },
    );
    try {
      for (;;) {
        const position = positions.shift();
        if (outcome !== 'waiting') break;
        if (position !== undefined) {
          yield { type: 'queued', provider, position } satisfies StreamPart;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      if (outcome === 'refused' || signal.aborted) {
        yield { type: 'finish', reason: 'cancelled' };
        return;
      }
      yield* model.stream(request, { signal });
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Stopped early while waiting: leave the line; granted meanwhile: give the slot back.
      local.abort();
      (release as QueueRelease | null)?.();
      void acquired.then(
        (granted) => granted(),
        () => undefined,
      );
    }
  });
}

/** Whether an answer to this request may come from (and go to) the cache. */
export function isCacheable(request: GenerateRequest, settings: CacheSettings): boolean {
  if (!settings.enabled) return false;
  if ((request.temperature ?? 0) > 0.7 && !settings.cacheHighTemperature) return false;
  return true;
}

/** What a model emits that a replay repeats; app parts (retry, queued, route…) are not stored. */
const STORED: ReadonlySet<StreamPart['type']> = new Set(['text-delta', 'reasoning-delta', 'tool-call', 'usage', 'finish']);

/**
 * Answers from the response cache when the same request was answered before
 * (a `cache-hit` part, then the stored parts with a usage costing $0, and a
 * `cache` spend entry with what it saved); otherwise asks the model and
 * stores its answer when it finished normally (stop, length or tool calls).
 */
export function withCache(
  model: LanguageModel,
  info: ModelCallInfo,
  cache: ResponseCache,
  settings: () => CacheSettings,
  recorder: SpendRecorder,
): LanguageModel {
  return wrap(model, async function* (request, options) {
    const { signal } = options;
    if (!isCacheable(request, settings())) {
      yield* model.stream(request, options);
      return;
    }
    const key = cache.key(info.modelId, request);
    const hit = await cache.get(key).catch(() => null);
    if (hit) {
      yield { type: 'cache-hit', cachedAt: hit.cachedAt, savedUsd: hit.costUsd };
      const usage = hit.parts.find((part) => part.type === 'usage');
      recorder.record({
        at: new Date().toISOString(),
        modelId: info.modelId,
        provider: info.provider,
        kind: 'cache',
        inputTokens: usage?.usage.inputTokens ?? 0,
        outputTokens: usage?.usage.outputTokens ?? 0,
        costUsd: 0,
        savedUsd: hit.costUsd,
        errorCode: null,
        chatId: info.chatId,
        decisionId: info.decisionId,
      });
      await cache.recordHit(hit.costUsd).catch(() => undefined);
      for (const part of hit.parts) {
        if (signal.aborted) {
          yield { type: 'finish', reason: 'cancelled' };
          return;
        }
        yield part.type === 'usage' ? { type: 'usage', usage: { ...part.usage, costUsd: 0 } } : part;
      }
      return;
    }
    const collected: StreamPart[] = [];
    let storable = false;
    let stored = false;
    const store = async () => {
      if (!storable || stored) return;
      stored = true;
      const usage = collected.find((part) => part.type === 'usage');
      // The answer is already delivered: a failed write only means no cache entry.
      await cache.put(key, collected, usage?.usage.costUsd ?? 0).catch(() => undefined);
    };
    try {
      for await (const part of model.stream(request, options)) {
        if (STORED.has(part.type)) collected.push(part);
        if (part.type === 'error') storable = false;
        else if (part.type === 'finish') storable = part.reason === 'stop' || part.reason === 'length' || part.reason === 'tool-calls';
        yield part;
      }
    } finally {
      await store();
    }
  });
}
