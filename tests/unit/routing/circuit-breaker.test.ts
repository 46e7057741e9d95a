import { describe, expect, test } from 'vitest';
import type { RoutingSettings } from '../../../shared/ipc/routes/routing';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { CircuitBreaker } from '../../../electron/core/routing/circuit-breaker';
import { withCircuit } from '../../../electron/core/routing/guarded-model';
import type { LanguageModel } from '../../../electron/core/models/language-model';

const SETTINGS: RoutingSettings['circuit'] = { failures: 3, windowMs: 60_000, cooldownMs: 30_000 };

function breakerAt(start = 1_000_000) {
  const clock = { now: start };
  const breaker = new CircuitBreaker({ settings: () => SETTINGS, now: () => clock.now });
  return { clock, breaker };
}

describe('CircuitBreaker', () => {
  test('opens after `failures` unhealthy failures within the window and then refuses', () => {
    const { clock, breaker } = breakerAt();
    breaker.failure('acme', 'SERVER');
    clock.now += 1_000;
    breaker.failure('acme', 'RATE_LIMITED');
    expect(breaker.state('acme')).toBe('closed');
    expect(breaker.allow('acme')).toBe(true);
    clock.now += 1_000;
    breaker.failure('acme', 'NETWORK');
    expect(breaker.state('acme')).toBe('open');
    expect(breaker.allow('acme')).toBe(false);
    expect(breaker.available('acme')).toBe(false);
    expect(breaker.snapshot()).toEqual({ acme: { state: 'open', recentFailures: 3, openedAt: clock.now, retryAt: clock.now + 30_000 } });
    // Other providers are unaffected.
    expect(breaker.allow('other')).toBe(true);
  });

  test('stays closed when the failures are spread wider than the window', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 6; i += 1) {
      breaker.failure('acme', 'TIMEOUT');
      clock.now += 31_000; // only two ever fall within 60 s
    }
    expect(breaker.state('acme')).toBe('closed');
    expect(breaker.allow('acme')).toBe(true);
  });

  test('failures that say nothing about the provider health never open it', () => {
    const { breaker } = breakerAt();
    for (const code of ['CANCELLED', 'CONTEXT_TOO_LONG', 'CONTENT_FILTERED', 'AUTH', 'BUDGET_EXCEEDED'] as const) {
      breaker.failure('acme', code);
      breaker.failure('acme', code);
      breaker.failure('acme', code);
    }
    expect(breaker.state('acme')).toBe('closed');
    expect(breaker.snapshot()).toEqual({});
  });

  test('after the cool-down it half-opens and lets exactly one probe through; its success closes it', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i += 1) breaker.failure('acme', 'SERVER');
    clock.now += 29_999;
    expect(breaker.allow('acme')).toBe(false);
    clock.now += 1;
    expect(breaker.available('acme')).toBe(true);
    expect(breaker.allow('acme')).toBe(true);
    expect(breaker.state('acme')).toBe('half-open');
    expect(breaker.allow('acme')).toBe(false);
    expect(breaker.allow('acme')).toBe(false);
    breaker.success('acme');
    expect(breaker.state('acme')).toBe('closed');
    expect(breaker.allow('acme')).toBe(true);
    expect(breaker.allow('acme')).toBe(true);
    // The old failures are forgotten: one more does not reopen it.
    breaker.failure('acme', 'SERVER');
    expect(breaker.state('acme')).toBe('closed');
  });

  test('a failed probe re-opens it for another whole cool-down', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i += 1) breaker.failure('acme', 'SERVER');
    clock.now += 30_000;
    expect(breaker.allow('acme')).toBe(true);
    clock.now += 500;
    breaker.failure('acme', 'TIMEOUT');
    expect(breaker.state('acme')).toBe('open');
    expect(breaker.snapshot().acme).toMatchObject({ state: 'open', openedAt: clock.now, retryAt: clock.now + 30_000 });
    clock.now += 29_000;
    expect(breaker.allow('acme')).toBe(false);
    clock.now += 1_000;
    expect(breaker.allow('acme')).toBe(true);
  });

  test('a cancelled probe frees the slot for the next request without closing the circuit', () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i += 1) breaker.failure('acme', 'SERVER');
    clock.now += 30_000;
    expect(breaker.allow('acme')).toBe(true);
    breaker.release('acme');
    expect(breaker.state('acme')).toBe('half-open');
    expect(breaker.allow('acme')).toBe(true);
    expect(breaker.allow('acme')).toBe(false);
  });
});

function scripted(parts: StreamPart[]): LanguageModel & { calls: number } {
  const model = {
    id: 'acme/model',
    calls: 0,
    async *stream() {
      model.calls += 1;
      for (const part of parts) yield part;
    },
  };
  return model;
}

async function collect(model: LanguageModel): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream({ messages: [{ role: 'user', text: 'hi' }] }, { signal: new AbortController().signal })) parts.push(part);
  return parts;
}

describe('withCircuit', () => {
  test('reports errors as failures, refuses without calling the model once open, and a good probe closes it', async () => {
    const { clock, breaker } = breakerAt();
    const failing = scripted([{ type: 'error', code: 'SERVER', message: 'boom', retryable: true }]);
    const guarded = withCircuit(failing, 'acme', breaker);
    expect(guarded.id).toBe('acme/model');
    for (let i = 0; i < 3; i += 1) expect((await collect(guarded)).at(-1)).toMatchObject({ type: 'error', code: 'SERVER', message: 'boom' });
    expect(breaker.state('acme')).toBe('open');
    const refused = await collect(guarded);
    expect(refused).toEqual([{ type: 'error', code: 'SERVER', message: expect.stringMatching(/^acme is failing \(circuit open\); retrying after \d\d:\d\d:\d\d$/), retryable: true }]);
    expect(failing.calls).toBe(3);

    clock.now += 30_000;
    const healthy = scripted([{ type: 'text-delta', text: 'ok' }, { type: 'finish', reason: 'stop' }]);
    expect(await collect(withCircuit(healthy, 'acme', breaker))).toEqual([{ type: 'text-delta', text: 'ok' }, { type: 'finish', reason: 'stop' }]);
    expect(breaker.state('acme')).toBe('closed');
  });

  test('a consumer that stops early frees the probe slot', async () => {
    const { clock, breaker } = breakerAt();
    for (let i = 0; i < 3; i += 1) breaker.failure('acme', 'SERVER');
    clock.now += 30_000;
    const model = withCircuit(scripted([{ type: 'text-delta', text: 'a' }, { type: 'finish', reason: 'stop' }]), 'acme', breaker);
    for await (const _part of model.stream({ messages: [] }, { signal: new AbortController().signal })) break;
    expect(breaker.state('acme')).toBe('half-open');
    expect(breaker.allow('acme')).toBe(true);
  });
});
