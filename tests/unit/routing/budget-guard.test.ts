import { afterAll, describe, expect, test } from 'vitest';
import { CodedError } from '../../../shared/ipc/errors';
import type { BudgetSettings } from '../../../shared/ipc/routes/routing';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { BudgetGuard } from '../../../electron/core/routing/budget-guard';
import { meteredModel } from '../../../electron/core/routing/metered-model';
import { openSpendLedger, type SpendLedger } from '../../../electron/core/routing/spend-ledger';
import { costUsd } from '../../../electron/core/providers/pricing';
import { estimatePromptTokens } from '../../../electron/core/providers/token-estimate';
import { callInfo, collectParts, ScriptedModel, spendEntry } from '../../support/routing-fixtures';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const NOW = new Date('2025-03-10T12:00:00Z');
const NO_CAPS: BudgetSettings = { dailyUsd: null, monthlyUsd: null, perProvider: {}, perChatTokens: null, alertAt: 0.8 };

async function setup(budget: Partial<BudgetSettings>, now = NOW): Promise<{ guard: BudgetGuard; ledger: SpendLedger; settings: BudgetSettings }> {
  const ledger = await openSpendLedger(await temp.make('tandem-guard-'));
  const settings = { ...NO_CAPS, ...budget };
  return { guard: new BudgetGuard({ settings: () => settings, ledger, now: () => now }), ledger, settings };
}

function budgetError(run: () => unknown): CodedError {
  try {
    run();
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error('expected BUDGET_EXCEEDED');
}

describe('caps', () => {
  test('daily: settled spend today plus the worst case must fit; the message names the cap and what is left', async () => {
    const { guard, ledger } = await setup({ dailyUsd: 5 });
    ledger.record(spendEntry({ at: '2025-03-09T23:00:00.000Z', costUsd: 100 })); // yesterday (UTC): not today's
    ledger.record(spendEntry({ at: '2025-03-10T01:00:00.000Z', costUsd: 4.88 }));
    expect(guard.refusal('fake', 0.12)).toBeNull();
    const error = budgetError(() => guard.reserve('fake', 0.4));
    expect(error.code).toBe('BUDGET_EXCEEDED');
    expect(error.message).toBe('Daily budget of $5.00 would be exceeded: $0.12 left today; this request could cost up to $0.40');
    expect(guard.refusal('fake', 0.4)).toMatchObject({ cap: 'Daily budget', leftUsd: expect.closeTo(0.12, 9) });
    expect(guard.reservedUsd()).toBe(0);
  });

  test('monthly: counts this month (UTC), not last month', async () => {
    const { guard, ledger } = await setup({ monthlyUsd: 20 });
    ledger.record(spendEntry({ at: '2025-02-28T23:59:00.000Z', costUsd: 50 }));
    ledger.record(spendEntry({ at: '2025-03-01T00:00:00.000Z', costUsd: 19 }));
    expect(guard.refusal('fake', 1)).toBeNull();
    expect(guard.refusal('fake', 1.5)?.message).toBe('Monthly budget of $20.00 would be exceeded: $1.00 left this month; this request could cost up to $1.50');
  });

  test('per provider: a provider cap holds only that provider, counting its holds', async () => {
    const { guard, ledger } = await setup({ dailyUsd: 100, perProvider: { openai: { dailyUsd: 1, monthlyUsd: 3 } } });
    ledger.record(spendEntry({ at: '2025-03-10T01:00:00.000Z', provider: 'openai', modelId: 'openai/gpt-4o', costUsd: 0.5 }));
    ledger.record(spendEntry({ at: '2025-03-02T01:00:00.000Z', provider: 'openai', modelId: 'openai/gpt-4o', costUsd: 2.3 }));
    expect(guard.refusal('openai', 0.6)).toMatchObject({ cap: 'Daily budget for openai', leftUsd: expect.closeTo(0.5, 9) });
    expect(guard.refusal('openai', 0.6)!.message).toMatch(/^Daily budget for openai of \$1\.00 would be exceeded: \$0\.50 left today/);
    expect(guard.refusal('openai', 0.3)).toMatchObject({ cap: 'Monthly budget for openai', leftUsd: expect.closeTo(0.2, 9) });
    const reservation = guard.reserve('openai', 0.15);
    expect(guard.refusal('openai', 0.1)).toMatchObject({ cap: 'Monthly budget for openai', leftUsd: expect.closeTo(0.05, 9) });
    expect(guard.refusal('anthropic', 50)).toBeNull();
    reservation.release();
    expect(guard.refusal('openai', 0.1)).toBeNull();
  });

  test('per chat tokens: tokens a chat used on paid models plus its holds plus this worst case', async () => {
    const { guard, ledger } = await setup({ perChatTokens: 1000 });
    ledger.record(spendEntry({ chatId: 'c1', inputTokens: 600, outputTokens: 200, costUsd: 0.01 }));
    expect(guard.refusal('fake', 0.01, { chatId: 'c1', worstCaseTokens: 200 })).toBeNull();
    expect(guard.refusal('fake', 0.01, { chatId: 'c1', worstCaseTokens: 300 })).toEqual({
      cap: 'Chat token budget',
      leftUsd: 0,
      message: 'Chat token budget of 1,000 tokens would be exceeded: 200 tokens left in this chat; this request could use up to 300',
    });
    const hold = guard.reserve('fake', 0.01, { chatId: 'c1', worstCaseTokens: 150 });
    expect(guard.refusal('fake', 0.01, { chatId: 'c1', worstCaseTokens: 100 })?.message).toMatch(/50 tokens left/);
    expect(guard.refusal('fake', 0.01, { chatId: 'c2', worstCaseTokens: 1000 })).toBeNull();
    // A free model is not a paid one: the token cap does not hold it.
    expect(guard.refusal('fake', 0, { chatId: 'c1', worstCaseTokens: 5000 })).toBeNull();
    hold.release();
  });

  test('free requests pass every money cap, even one already spent', async () => {
    const { guard, ledger } = await setup({ dailyUsd: 0, monthlyUsd: 1, perProvider: { fake: { dailyUsd: 0, monthlyUsd: 0 } } });
    ledger.record(spendEntry({ at: '2025-03-10T01:00:00.000Z', costUsd: 3 }));
    expect(guard.refusal('fake', 0)).toBeNull();
    guard.reserve('fake', 0).settle(0);
    expect(guard.refusal('fake', 0.0001)?.cap).toBe('Daily budget');
  });

  test('settings are read at each check', async () => {
    const { guard, settings } = await setup({ dailyUsd: 1 });
    expect(guard.refusal('fake', 2)).not.toBeNull();
    settings.dailyUsd = null;
    expect(guard.refusal('fake', 2)).toBeNull();
  });
});

describe('reservations', () => {
  test('outstanding holds count against the cap until settled or released; refusal reserves nothing', async () => {
    const { guard } = await setup({ dailyUsd: 1 });
    const a = guard.reserve('fake', 0.4);
    const b = guard.reserve('fake', 0.4);
    expect(guard.reservedUsd()).toBeCloseTo(0.8, 12);
    expect(guard.refusal('fake', 0.2)).toBeNull();
    expect(guard.reservedUsd()).toBeCloseTo(0.8, 12);
    expect(() => guard.reserve('fake', 0.4)).toThrow(/Daily budget of \$1\.00 would be exceeded: \$0\.20 left today/);
    a.release();
    expect(guard.reservedUsd()).toBeCloseTo(0.4, 12);
    const c = guard.reserve('fake', 0.4);
    b.settle(0.1, 50);
    c.settle(0.1);
    expect(guard.reservedUsd()).toBe(0);
  });

  test('the first of settle and release wins; repeating either does nothing', async () => {
    const { guard } = await setup({ dailyUsd: 1 });
    const a = guard.reserve('fake', 0.5);
    const b = guard.reserve('fake', 0.25);
    a.settle(0.1);
    a.release();
    a.settle(0.2);
    expect(guard.reservedUsd()).toBe(0.25);
    b.release();
    b.release();
    expect(guard.reservedUsd()).toBe(0);
  });

  test('many reservations in one tick never together pass the cap', async () => {
    const { guard } = await setup({ dailyUsd: 1, perProvider: { fake: { dailyUsd: 0.5, monthlyUsd: null } } });
    let granted = 0;
    for (let i = 0; i < 100; i += 1) {
      try {
        guard.reserve(i % 2 === 0 ? 'fake' : 'other', 0.03);
        granted += 1;
      } catch {
        // refused
      }
    }
    expect(guard.reservedUsd()).toBeLessThanOrEqual(1 + 1e-9);
    expect(guard.reservedUsd('fake')).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(granted).toBe(16 + 17); // 0.5 / 0.03 on fake, then the rest of the dollar on other
  });
});

describe('metered models', () => {
  const request = { messages: [{ role: 'user' as const, text: 'Say hello' }], maxTokens: 100 };
  const price = { input: 2, output: 10 };
  const worstCase = () => costUsd(price, estimatePromptTokens(request.messages), 100);
  const answer: StreamPart[] = [
    { type: 'text-delta', text: 'Hello there, friend' },
    { type: 'usage', usage: { inputTokens: 9, outputTokens: 4, costUsd: 0.00005 } },
    { type: 'finish', reason: 'stop' },
  ];
  const signal = () => new AbortController().signal;
  // Metered requests are recorded at the real time, so the guard's days are the real ones here.
  const live = (budget: Partial<BudgetSettings>) => setup(budget, new Date());

  test('a request over the cap ends with one BUDGET_EXCEEDED error part and never reaches the model', async () => {
    const { guard, ledger } = await live({ dailyUsd: worstCase() / 2 });
    const inner = new ScriptedModel('fake/gpt-test', answer);
    const model = meteredModel(inner, callInfo({ chatId: 'c1' }), { guard, recorder: ledger, maxTokensDefault: 1000 });
    expect(model.id).toBe('fake/gpt-test');
    const parts = await collectParts(model.stream(request, { signal: signal() }));
    expect(parts).toEqual([{ type: 'error', code: 'BUDGET_EXCEEDED', message: expect.stringMatching(/^Daily budget of/), retryable: false }]);
    expect(inner.calls).toBe(0);
    expect(ledger.summary({}, NO_CAPS, 0).totals).toMatchObject({ requests: 1, errors: 1, costUsd: 0 });
  });

  test('the usage part settles the hold at the reported cost; parts pass through untouched', async () => {
    const { guard, ledger } = await live({ dailyUsd: 1 });
    const inner = new ScriptedModel('fake/gpt-test', answer);
    const model = meteredModel(inner, callInfo({ chatId: 'c1', decisionId: 'd1' }), { guard, recorder: ledger, maxTokensDefault: 1000 });
    const stream = model.stream(request, { signal: signal() })[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.value).toEqual(answer[0]);
    expect(guard.reservedUsd()).toBeCloseTo(worstCase(), 12);
    const rest: StreamPart[] = [];
    for (let next = await stream.next(); !next.done; next = await stream.next()) rest.push(next.value);
    expect(rest).toEqual(answer.slice(1));
    expect(guard.reservedUsd()).toBe(0);
    expect(ledger.spentUsd({ since: new Date(0) })).toBe(0.00005);
    expect(ledger.chatTokens('c1')).toBe(13);
  });

  test('a usage part without a cost is priced; no max tokens uses the default for the worst case', async () => {
    const { guard, ledger } = await live({ dailyUsd: costUsd(price, estimatePromptTokens(request.messages), 40) });
    const inner = new ScriptedModel('fake/gpt-test', [{ type: 'usage', usage: { inputTokens: 9, outputTokens: 4 } }, { type: 'finish', reason: 'stop' }]);
    const small = meteredModel(inner, callInfo(), { guard, recorder: ledger, maxTokensDefault: 40 });
    const large = meteredModel(inner, callInfo(), { guard, recorder: ledger, maxTokensDefault: 41 });
    expect((await collectParts(large.stream({ messages: request.messages }, { signal: signal() })))[0]).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    await collectParts(small.stream({ messages: request.messages }, { signal: signal() }));
    expect(ledger.spentUsd({ since: new Date(0) })).toBeCloseTo(costUsd(price, 9, 4), 15);
  });

  test('an error before any token releases the hold and is recorded as an error that cost nothing', async () => {
    const { guard, ledger } = await live({ dailyUsd: 1 });
    const inner = new ScriptedModel('fake/gpt-test', [{ type: 'error', code: 'SERVER', message: 'down', retryable: true }]);
    const parts = await collectParts(meteredModel(inner, callInfo(), { guard, recorder: ledger, maxTokensDefault: 100 }).stream(request, { signal: signal() }));
    expect(parts).toEqual([{ type: 'error', code: 'SERVER', message: 'down', retryable: true }]);
    expect(guard.reservedUsd()).toBe(0);
    expect(ledger.summary({}, NO_CAPS, 0).models[0]).toMatchObject({ requests: 1, errors: 1, costUsd: 0, inputTokens: 0 });
  });

  test('cancelled mid-answer, or the consumer stops reading: settled at an estimate, not an error', async () => {
    const { guard, ledger } = await live({ dailyUsd: 1 });
    const words = Array.from({ length: 50 }, (): StreamPart => ({ type: 'text-delta', text: 'abcd' }));
    const inner = new ScriptedModel('fake/gpt-test', [...words, { type: 'finish', reason: 'stop' }]);
    const model = meteredModel(inner, callInfo(), { guard, recorder: ledger, maxTokensDefault: 100 });
    const promptTokens = estimatePromptTokens(request.messages);

    const controller = new AbortController();
    let seen = 0;
    for await (const part of model.stream(request, { signal: controller.signal })) {
      if (part.type === 'text-delta' && ++seen === 10) controller.abort();
      if (part.type === 'finish') expect(part.reason).toBe('cancelled');
    }
    expect(guard.reservedUsd()).toBe(0);
    expect(ledger.spentUsd({ since: new Date(0) })).toBeCloseTo(costUsd(price, promptTokens, 10), 15);

    seen = 0;
    for await (const part of model.stream(request, { signal: signal() })) {
      if (part.type === 'text-delta' && ++seen === 5) break;
    }
    expect(guard.reservedUsd()).toBe(0);
    expect(ledger.spentUsd({ since: new Date(0) })).toBeCloseTo(costUsd(price, promptTokens, 10) + costUsd(price, promptTokens, 5), 15);
    expect(ledger.summary({}, NO_CAPS, 0).totals).toMatchObject({ requests: 2, errors: 0, outputTokens: 15 });
  });

  test('a cloud model without a price is treated as free: never refused, costs nothing', async () => {
    const { guard, ledger } = await live({ dailyUsd: 0 });
    const inner = new ScriptedModel('fake/gpt-test', answer.slice(0, 1).concat({ type: 'usage', usage: { inputTokens: 9, outputTokens: 4 } }, { type: 'finish', reason: 'stop' }));
    const parts = await collectParts(meteredModel(inner, callInfo({ price: null }), { guard, recorder: ledger, maxTokensDefault: 100 }).stream(request, { signal: signal() }));
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(ledger.summary({}, NO_CAPS, 0).totals).toMatchObject({ requests: 1, costUsd: 0, inputTokens: 9 });
  });
});
