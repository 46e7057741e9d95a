import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { UsageSummarySchema, type BudgetSettings } from '../../../shared/ipc/routes/routing';
import { BudgetGuard } from '../../../electron/core/routing/budget-guard';
import { meteredModel } from '../../../electron/core/routing/metered-model';
import { SpendLedger, formatUsd, openSpendLedger, spendLedgerPath } from '../../../electron/core/routing/spend-ledger';
import { costUsd } from '../../../electron/core/providers/pricing';
import { callInfo, collectParts, ScriptedModel, spendEntry } from '../../support/routing-fixtures';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const NO_CAPS: BudgetSettings = { dailyUsd: null, monthlyUsd: null, perProvider: {}, perChatTokens: null, alertAt: 0.8 };

async function ledgerIn(): Promise<{ ledger: SpendLedger; dir: string }> {
  const dir = await temp.make('tandem-spend-');
  return { ledger: await openSpendLedger(dir), dir };
}

describe('the spend log on disk', () => {
  test('replay skips damaged lines, reports them with their numbers, and keeps every good one', async () => {
    const dir = await temp.make('tandem-spend-replay-');
    const path = spendLedgerPath(dir);
    await new SpendLedger(path).load(); // a missing file is an empty ledger, not an error
    const good = (costUsd: number) => JSON.stringify(spendEntry({ at: '2025-03-02T10:00:00.000Z', costUsd }));
    await mkdir(join(dir, 'usage'), { recursive: true });
    // line 2: not JSON; line 4: JSON of the wrong shape; line 6: a write cut short (no newline at the end).
    await writeFile(path, [good(1), '{not json', good(2), JSON.stringify({ at: 'yesterday', costUsd: -1 }), '', '{"at":"2025-03-02T1'].join('\n'));

    const ledger = new SpendLedger(path);
    await ledger.load();
    expect(ledger.problems).toHaveLength(3);
    expect(ledger.problems[0]).toMatch(/:2: not JSON; line skipped/);
    expect(ledger.problems[1]).toMatch(/:4: .*line skipped/);
    expect(ledger.problems[2]).toMatch(/:6: .*line skipped/);
    expect(ledger.spentUsd({ since: new Date('2025-03-01T00:00:00Z') })).toBe(3);

    // A new entry after the cut-short line starts a line of its own: nothing good is lost to the damage.
    ledger.record(spendEntry({ at: '2025-03-02T11:00:00.000Z', costUsd: 4 }));
    await ledger.flush();
    const again = new SpendLedger(path);
    await again.load();
    expect(again.problems).toHaveLength(3);
    expect(again.spentUsd({ since: new Date('2025-03-01T00:00:00Z') })).toBe(7);
    expect((await readFile(path, 'utf8')).endsWith('\n')).toBe(true);
  });

  test('records are appended in order and tell listeners', async () => {
    const { ledger, dir } = await ledgerIn();
    let changes = 0;
    const off = ledger.onChange(() => (changes += 1));
    for (let i = 1; i <= 20; i += 1) ledger.record(spendEntry({ costUsd: i / 100, decisionId: `d${i}` }));
    off();
    ledger.record(spendEntry());
    await ledger.flush();
    expect(changes).toBe(20);
    const lines = (await readFile(spendLedgerPath(dir), 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { decisionId: string | null }).decisionId)).toEqual([...Array.from({ length: 20 }, (_, i) => `d${i + 1}`), null]);
  });
});

describe('queries', () => {
  test('spentUsd counts from an instant, on one provider or all; chatTokens counts paid cloud tokens only', async () => {
    const { ledger } = await ledgerIn();
    ledger.record(spendEntry({ at: '2025-03-01T23:00:00.000Z', costUsd: 1 }));
    ledger.record(spendEntry({ at: '2025-03-02T09:00:00.000Z', costUsd: 2, chatId: 'c1', inputTokens: 100, outputTokens: 50 }));
    ledger.record(spendEntry({ at: '2025-03-02T15:00:00.000Z', costUsd: 4, provider: 'other', modelId: 'other/m', chatId: 'c1', inputTokens: 10, outputTokens: 5 }));
    ledger.record(spendEntry({ at: '2025-03-03T01:00:00.000Z', costUsd: 8 }));
    // Free and local requests do not count against the chat's token cap.
    ledger.record(spendEntry({ at: '2025-03-03T01:00:00.000Z', chatId: 'c1', inputTokens: 1000, outputTokens: 1000 }));
    ledger.record(spendEntry({ at: '2025-03-03T01:00:00.000Z', kind: 'local', provider: null, modelId: 'qwen', chatId: 'c1', inputTokens: 1000 }));

    expect(ledger.spentUsd({ since: new Date('2025-03-01T00:00:00Z') })).toBe(15);
    expect(ledger.spentUsd({ since: new Date('2025-03-02T12:00:00Z') })).toBe(12);
    expect(ledger.spentUsd({ provider: 'fake', since: new Date('2025-03-02T00:00:00Z') })).toBe(10);
    expect(ledger.spentUsd({ provider: 'other', since: new Date('2025-03-02T15:00:00Z') })).toBe(4);
    expect(ledger.chatTokens('c1')).toBe(165);
    expect(ledger.chatTokens('nobody')).toBe(0);
  });
});

describe('the usage summary', () => {
  const gpt = { input: 2, output: 10 };
  const big = { input: 15, output: 75 };

  test('sums equal usage × prices, every day is present oldest first, models most expensive first', async () => {
    const { ledger } = await ledgerIn();
    const requests = [
      { at: '2025-03-02T08:00:00.000Z', modelId: 'fake/gpt-test', price: gpt, inputTokens: 1200, outputTokens: 300 },
      { at: '2025-03-02T09:00:00.000Z', modelId: 'fake/big', price: big, inputTokens: 800, outputTokens: 900 },
      { at: '2025-03-04T23:59:59.000Z', modelId: 'fake/gpt-test', price: gpt, inputTokens: 50_000, outputTokens: 2_000 },
      { at: '2025-03-05T00:00:00.000Z', modelId: 'fake/big', price: big, inputTokens: 10, outputTokens: 10 },
    ];
    for (const r of requests) {
      ledger.record(spendEntry({ at: r.at, modelId: r.modelId, inputTokens: r.inputTokens, outputTokens: r.outputTokens, costUsd: costUsd(r.price, r.inputTokens, r.outputTokens) }));
    }
    ledger.record(spendEntry({ at: '2025-03-03T12:00:00.000Z', modelId: 'fake/big', errorCode: 'SERVER' }));
    ledger.record(spendEntry({ at: '2025-02-28T12:00:00.000Z', costUsd: 100 })); // before the period

    const summary = ledger.summary({ since: '2025-03-01', until: '2025-03-05' }, NO_CAPS, 0.25, new Date('2025-03-05T12:00:00Z'));
    expect(UsageSummarySchema.parse(summary)).toEqual(summary);
    expect(summary.days.map((d) => d.date)).toEqual(['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04', '2025-03-05']);
    expect(summary.days[0]).toMatchObject({ requests: 0, errors: 0, inputTokens: 0, costByModel: {} });
    expect(summary.days[2]).toMatchObject({ requests: 1, errors: 1 });
    const expected = requests.reduce((sum, r) => sum + costUsd(r.price, r.inputTokens, r.outputTokens), 0);
    expect(summary.totals.costUsd).toBeCloseTo(expected, 12);
    expect(summary.totals).toMatchObject({ requests: 5, errors: 1, inputTokens: 52_010, outputTokens: 3_210 });
    expect(summary.days[1]!.costByModel['fake/big']).toBeCloseTo(costUsd(big, 800, 900), 12);
    expect(summary.days[1]!.costByProvider.fake).toBeCloseTo(costUsd(big, 800, 900) + costUsd(gpt, 1200, 300), 12);
    // fake/big: 0.0795 + 0.0009; fake/gpt-test: 0.0054 + 0.12.
    expect(summary.models.map((m) => [m.modelId, m.requests, m.errors])).toEqual([
      ['fake/gpt-test', 2, 0],
      ['fake/big', 3, 1],
    ]);
    expect(summary.models[0]!.costUsd).toBeCloseTo(costUsd(gpt, 51_200, 2_300), 12);
    expect(summary.budget.reservedUsd).toBe(0.25);
  });

  test('the default period is this month up to today (UTC)', async () => {
    const { ledger } = await ledgerIn();
    const summary = ledger.summary({}, NO_CAPS, 0, new Date('2025-03-03T23:30:00-05:00')); // already March 4th in UTC
    expect([summary.since, summary.until]).toEqual(['2025-03-01', '2025-03-04']);
    expect(summary.days).toHaveLength(4);
    expect(() => ledger.summary({ since: '2025-03-05', until: '2025-03-01' }, NO_CAPS, 0)).toThrow(/starts/);
    expect(() => ledger.summary({ since: '2025-02-30' }, NO_CAPS, 0)).toThrow(/YYYY-MM-DD/);
  });

  test('saved by local answers: their tokens priced at the reference cloud model (0 without one)', async () => {
    const { ledger } = await ledgerIn();
    const guard = new BudgetGuard({ settings: () => NO_CAPS, ledger });
    const local = new ScriptedModel('qwen-0.5b', [
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', usage: { inputTokens: 4000, outputTokens: 1000 } },
      { type: 'finish', reason: 'stop' },
    ]);
    const deps = { guard, recorder: ledger, maxTokensDefault: 256 };
    const reference = { input: 3, output: 15 };
    const withReference = meteredModel(local, callInfo({ modelId: 'qwen-0.5b', kind: 'local', provider: null, price: null, referencePrice: reference, referenceModelId: 'openai/gpt-4o' }), deps);
    const without = meteredModel(local, callInfo({ modelId: 'qwen-0.5b', kind: 'local', provider: null, price: null }), deps);
    await collectParts(withReference.stream({ messages: [{ role: 'user', text: 'hello' }] }, { signal: new AbortController().signal }));
    await collectParts(without.stream({ messages: [{ role: 'user', text: 'hello' }] }, { signal: new AbortController().signal }));

    const summary = ledger.summary({}, NO_CAPS, 0);
    expect(summary.models).toEqual([
      { modelId: 'qwen-0.5b', provider: null, kind: 'local', requests: 2, errors: 0, inputTokens: 8000, outputTokens: 2000, costUsd: 0, savedUsd: costUsd(reference, 4000, 1000) },
    ]);
    expect(summary.totals.savedUsd).toBeCloseTo((4000 * 3 + 1000 * 15) / 1e6, 12);
    expect(summary.days.at(-1)!.costByProvider).toEqual({ local: 0 });
  });

  test('forecast: spend this month / days elapsed × days in the month', async () => {
    const { ledger } = await ledgerIn();
    ledger.record(spendEntry({ at: '2025-02-27T12:00:00.000Z', costUsd: 50 })); // last month: not in the forecast
    ledger.record(spendEntry({ at: '2025-03-01T12:00:00.000Z', costUsd: 6 }));
    ledger.record(spendEntry({ at: '2025-03-10T08:00:00.000Z', costUsd: 4 }));
    const summary = ledger.summary({}, NO_CAPS, 0, new Date('2025-03-10T18:00:00Z'));
    expect(summary.budget.spentMonthUsd).toBe(10);
    expect(summary.budget.spentTodayUsd).toBe(4);
    expect(summary.budget.forecastMonthUsd).toBeCloseTo((10 / 10) * 31, 12);
    const april = ledger.summary({}, NO_CAPS, 0, new Date('2025-04-01T00:00:00Z'));
    expect(april.budget.forecastMonthUsd).toBe(0);
  });

  test('alerts: one sentence per cap at or past the alert threshold', async () => {
    const { ledger } = await ledgerIn();
    ledger.record(spendEntry({ at: '2025-03-10T08:00:00.000Z', costUsd: 4.1 }));
    ledger.record(spendEntry({ at: '2025-03-02T08:00:00.000Z', costUsd: 10, provider: 'other', modelId: 'other/m' }));
    const budget: BudgetSettings = {
      dailyUsd: 5,
      monthlyUsd: 100,
      perProvider: { fake: { dailyUsd: 20, monthlyUsd: 5 }, other: { dailyUsd: null, monthlyUsd: 10 } },
      perChatTokens: null,
      alertAt: 0.8,
    };
    const summary = ledger.summary({}, budget, 0, new Date('2025-03-10T18:00:00Z'));
    expect(summary.budget.alerts).toEqual([
      'Daily budget: $4.10 of $5.00 spent (82%)',
      'Monthly budget for fake: $4.10 of $5.00 spent (82%)',
      'Monthly budget for other: $10.00 of $10.00 spent (100%)',
    ]);
    expect(ledger.summary({}, { ...budget, alertAt: 0.9 }, 0, new Date('2025-03-10T18:00:00Z')).budget.alerts).toEqual([
      'Monthly budget for other: $10.00 of $10.00 spent (100%)',
    ]);
    expect(ledger.summary({}, budget, 0, new Date('2025-03-11T18:00:00Z')).budget.alerts).not.toContain('Daily budget: $4.10 of $5.00 spent (82%)');
  });

  test('dollars are printed in cents, or to four places under a cent', () => {
    expect(formatUsd(4.1)).toBe('$4.10');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.000518)).toBe('$0.0005');
  });
});
