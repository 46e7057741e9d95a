import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { UsageSummarySchema, type BudgetSettings } from '../../shared/ipc/routes/routing';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { runBudget } from '../../electron/core/cli/budget-command';
import { runUsage } from '../../electron/core/cli/usage-command';
import { costUsd, type Price } from '../../electron/core/providers/pricing';
import { ProviderService } from '../../electron/core/providers/provider-service';
import { estimatePromptTokens } from '../../electron/core/providers/token-estimate';
import { BudgetGuard } from '../../electron/core/routing/budget-guard';
import { meteredModel } from '../../electron/core/routing/metered-model';
import { openSpendLedger, type SpendLedger } from '../../electron/core/routing/spend-ledger';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { callInfo } from '../support/routing-fixtures';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/**
 * Budgets against the fake OpenAI server through the real provider model:
 * 200 concurrent requests under a daily cap that affords about 50 of them
 * never overspend, and the ones refused never reach the server.
 */

const KEY = 'sk-budget-test-0123456789abcdef';
const PRICE: Price = { input: 2, output: 10 };
const MAX_TOKENS = 50;
const PROMPT = [{ role: 'user' as const, text: 'Say hello' }];
const temp = new TempDirs();
const logger = new RecordingLogger();
let server: FakeOpenAIServer;
let service: ProviderService;
let dataDir: string;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  dataDir = await temp.make('tandem-routing-budget-');
  // The price comes from the user's pricing file in the data dir, as it would in the app.
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { 'fake/gpt-test': PRICE, 'fake/slow-test': PRICE, 'fake/fault-500': PRICE } }));
  service = new ProviderService({ dataDir, logger, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
  await service.init();
  await service.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
});

afterAll(async () => {
  await service?.dispose();
  await server?.close();
  await temp.removeAll();
});

const NO_CAPS: BudgetSettings = { dailyUsd: null, monthlyUsd: null, perProvider: {}, perChatTokens: null, alertAt: 0.8 };
const worstCase = costUsd(PRICE, estimatePromptTokens(PROMPT), MAX_TOKENS);
const today = () => new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);

async function budgeted(modelId: string, budget: BudgetSettings, ledger: SpendLedger) {
  const guard = new BudgetGuard({ settings: () => budget, ledger });
  const inner = await service.languageModel(modelId);
  expect(inner.id).toBe(modelId);
  const model = meteredModel(inner, callInfo({ modelId, price: service.pricing.price('fake', 'custom', modelId.slice('fake/'.length)) }), {
    guard,
    recorder: ledger,
    maxTokensDefault: 2048,
  });
  return { guard, model };
}

describe('a daily cap under 200 concurrent requests', () => {
  test('all at once: exactly what the cap affords reaches the server, the rest are refused naming the cap', async () => {
    const ledgerDir = await temp.make('tandem-spend-burst-');
    const ledger = await openSpendLedger(ledgerDir);
    const cap = worstCase * 50.5;
    const { guard, model } = await budgeted('fake/gpt-test', { ...NO_CAPS, dailyUsd: cap }, ledger);
    const before = server.count('gpt-test');

    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const parts: StreamPart[] = [];
        for await (const part of model.stream({ messages: PROMPT, maxTokens: MAX_TOKENS }, { signal: new AbortController().signal })) parts.push(part);
        return parts;
      }),
    );

    const answered = results.filter((parts) => parts.at(-1)?.type === 'finish');
    const refused = results.filter((parts) => parts.at(-1)?.type === 'error');
    expect(answered.length + refused.length).toBe(200);
    expect(answered).toHaveLength(Math.floor(cap / worstCase));
    expect(server.count('gpt-test') - before).toBe(answered.length);
    for (const parts of answered) expect(parts.filter((p) => p.type === 'text-delta').map((p) => (p as { text: string }).text).join('')).toBe(FAKE_REPLY.join(''));
    for (const parts of refused) {
      expect(parts).toEqual([{ type: 'error', code: 'BUDGET_EXCEEDED', message: expect.stringMatching(/^Daily budget of \$\d+\.\d+ would be exceeded: \$[\d.]+ left today; this request could cost up to \$[\d.]+$/), retryable: false }]);
    }
    expect(guard.reservedUsd()).toBe(0);
    const spent = ledger.spentUsd({ since: today() });
    expect(spent).toBeLessThanOrEqual(cap);
    expect(spent).toBeGreaterThan(0);
    // Each settled at what the provider's usage cost, which is what the summary and the file say too.
    const usage = answered.map((parts) => (parts.find((p) => p.type === 'usage') as Extract<StreamPart, { type: 'usage' }>).usage);
    expect(spent).toBeCloseTo(usage.reduce((sum, u) => sum + costUsd(PRICE, u.inputTokens, u.outputTokens), 0), 12);
    await ledger.flush();
    const replayed = await openSpendLedger(ledgerDir);
    expect(replayed.problems).toEqual([]);
    const summary = replayed.summary({}, { ...NO_CAPS, dailyUsd: cap }, 0);
    expect(summary.totals).toMatchObject({ requests: 200, errors: refused.length });
    expect(summary.totals.costUsd).toBeCloseTo(spent, 12);
  });

  test('staggered: settled spend plus holds stays under the cap at every step, and what was sent was affordable', async () => {
    const ledger = await openSpendLedger(await temp.make('tandem-spend-stagger-'));
    // Low enough that 200 answers at their real cost would not fit either: some are refused whatever the timing.
    const cap = worstCase * 20.5;
    const { guard, model } = await budgeted('fake/gpt-test', { ...NO_CAPS, dailyUsd: cap }, ledger);
    const before = server.count('gpt-test');
    let worst = 0;
    const check = () => {
      worst = Math.max(worst, ledger.spentUsd({ since: today() }) + guard.reservedUsd());
    };
    ledger.onChange(check);

    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 7) % 40));
        const parts: StreamPart[] = [];
        for await (const part of model.stream({ messages: PROMPT, maxTokens: MAX_TOKENS }, { signal: new AbortController().signal })) {
          check();
          parts.push(part);
        }
        return parts;
      }),
    );
    const answered = results.filter((parts) => parts.at(-1)?.type === 'finish').length;
    const refused = results.filter((parts) => parts.at(-1)?.type === 'error' && parts[0]?.type === 'error' && parts[0].code === 'BUDGET_EXCEEDED');
    expect(answered + refused.length).toBe(200);
    expect(worst).toBeLessThanOrEqual(cap + 1e-12);
    expect(ledger.spentUsd({ since: today() })).toBeLessThanOrEqual(cap);
    expect(server.count('gpt-test') - before).toBe(answered);
    // Settled requests cost less than their worst case, so at least 20 fit; the refusals name the cap.
    expect(answered).toBeGreaterThanOrEqual(20);
    expect(refused.length).toBeGreaterThan(0);
    for (const parts of refused) expect(parts).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Daily budget of /) })]);
    expect(guard.reservedUsd()).toBe(0);
  });
});

describe('requests that end without usage', () => {
  test('a provider failure before any token releases the hold; the ledger records the error at no cost', async () => {
    const ledger = await openSpendLedger(await temp.make('tandem-spend-fault-'));
    const { guard, model } = await budgeted('fake/fault-500', { ...NO_CAPS, dailyUsd: 1 }, ledger);
    const parts: StreamPart[] = [];
    for await (const part of model.stream({ messages: PROMPT, maxTokens: MAX_TOKENS }, { signal: new AbortController().signal })) parts.push(part);
    expect(parts.at(-1)).toMatchObject({ type: 'error', code: 'SERVER' });
    expect(guard.reservedUsd()).toBe(0);
    expect(ledger.summary({}, NO_CAPS, 0).models).toEqual([expect.objectContaining({ modelId: 'fake/fault-500', requests: 1, errors: 1, costUsd: 0 })]);
  });

  test('Stop mid-answer settles at an estimate from the prompt and the streamed text', async () => {
    const ledger = await openSpendLedger(await temp.make('tandem-spend-stop-'));
    const { guard, model } = await budgeted('fake/slow-test', { ...NO_CAPS, dailyUsd: 1 }, ledger);
    const controller = new AbortController();
    let text = '';
    for await (const part of model.stream({ messages: PROMPT, maxTokens: MAX_TOKENS }, { signal: controller.signal })) {
      if (part.type === 'text-delta') text += part.text;
      if (text.length >= 3 * 4 && !controller.signal.aborted) controller.abort();
    }
    expect(guard.reservedUsd()).toBe(0);
    const [row] = ledger.summary({}, NO_CAPS, 0).models;
    expect(row).toMatchObject({ modelId: 'fake/slow-test', requests: 1, errors: 0, outputTokens: Math.ceil(text.length / 4) });
    expect(row!.costUsd).toBeCloseTo(costUsd(PRICE, estimatePromptTokens(PROMPT), Math.ceil(text.length / 4)), 15);
    await waitUntil(() => server.closedEarly.includes('slow-test'), 'the fake server to see the stopped stream closed', 5_000);
  });
});

describe('tandem budget and tandem usage', () => {
  const written: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    written.length = 0;
  });
  const capture = () => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
  };

  test('set caps (and clear one with none), show spend against them, and print usage by model and as JSON', async () => {
    const cliDir = await temp.make('tandem-cli-budget-');
    const global = { dataDir: cliDir, modelsDirs: [], version: '0.0.0-test' };
    const ledger = await openSpendLedger(cliDir);
    const at = new Date().toISOString();
    ledger.record({ at, modelId: 'fake/gpt-test', provider: 'fake', kind: 'cloud', inputTokens: 200_000, outputTokens: 10_000, costUsd: 0.5, savedUsd: 0, errorCode: null, chatId: null, decisionId: null });
    ledger.record({ at, modelId: 'qwen', provider: null, kind: 'local', inputTokens: 1_000, outputTokens: 500, costUsd: 0, savedUsd: 0.01, errorCode: null, chatId: null, decisionId: null });
    await ledger.flush();

    capture();
    expect(await runBudget(global, ['set'], { daily: '0.60', monthly: '100', chatTokens: '5000', json: false })).toBe(0);
    expect(await runBudget(global, ['set'], { provider: 'fake', daily: '2', json: false })).toBe(0);
    expect(await runBudget(global, ['set'], { monthly: 'none', json: false })).toBe(0);
    expect(await runBudget(global, ['set'], { daily: 'lots', json: false })).toBe(2);
    expect(await runBudget(global, [], { json: false })).toBe(0);
    vi.restoreAllMocks();
    const settings = JSON.parse(await readFile(join(cliDir, 'settings.json'), 'utf8')) as { routing: { budget: BudgetSettings } };
    expect(settings.routing.budget).toEqual({ dailyUsd: 0.6, monthlyUsd: null, perProvider: { fake: { dailyUsd: 2, monthlyUsd: null } }, perChatTokens: 5000, alertAt: 0.8 });
    const shown = written.join('');
    expect(shown).toContain('tandem budget: --daily must be an amount in US dollars');
    expect(shown).toContain('Daily:    $0.50 of $0.60 spent today, $0.10 left');
    expect(shown).toContain('Monthly:  $0.50 spent this month (no cap)');
    expect(shown).toContain('5,000 tokens on paid models');
    expect(shown).toContain('! Daily budget: $0.50 of $0.60 spent (83%)');

    written.length = 0;
    capture();
    expect(await runUsage(global, { json: false })).toBe(0);
    expect(await runUsage(global, { by: 'provider', json: false })).toBe(0);
    expect(await runUsage(global, { since: 'yesterday', json: false })).toBe(2);
    vi.restoreAllMocks();
    const table = written.join('');
    expect(table).toMatch(/fake\/gpt-test\s+1\s+0\s+200,000\s+10,000\s+\$0\.50\s+\$0\.00/);
    expect(table).toMatch(/qwen \(local\)\s+1\s+0\s+1,000\s+500\s+\$0\.00\s+\$0\.01/);
    expect(table).toMatch(/TOTAL\s+2\s+0\s+201,000\s+10,500\s+\$0\.50\s+\$0\.01/);
    expect(table).toMatch(/^local\s+1/m);
    expect(table).toContain('--since must be a date as YYYY-MM-DD');

    written.length = 0;
    capture();
    expect(await runUsage(global, { json: true })).toBe(0);
    vi.restoreAllMocks();
    const summary = UsageSummarySchema.parse(JSON.parse(written.join('')));
    expect(summary.totals).toMatchObject({ requests: 2, costUsd: 0.5, savedUsd: 0.01 });
    expect(summary.budget).toMatchObject({ dailyUsd: 0.6, spentTodayUsd: 0.5, alerts: ['Daily budget: $0.50 of $0.60 spent (83%)'] });
  });
});
