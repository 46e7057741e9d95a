import { join } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import type { BudgetSettings, UsageSummary } from '../../../shared/ipc/routes/routing';
import type { SpendEntry, SpendRecorder } from './types';
import { JsonlLog } from './jsonl-log';

/**
 * One line of `usage/spend.jsonl`, checked on replay (a file on disk is an edge).
 * Mirrors `SpendEntry` in ./types.
 */
const SpendEntrySchema = z.object({
  at: z.string().refine((at) => Number.isFinite(Date.parse(at)), 'not a date'),
  modelId: z.string().min(1),
  provider: z.string().nullable(),
  kind: z.enum(['cloud', 'local', 'cache']),
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  savedUsd: z.number().nonnegative(),
  errorCode: z.string().nullable(),
  chatId: z.string().nullable(),
  decisionId: z.string().nullable(),
}) satisfies z.ZodType<SpendEntry>;

/** The most days one summary may span (ten years): keeps a typo in `since` from building a huge table. */
const MAX_SUMMARY_DAYS = 3660;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Where the spend ledger lives in the data dir. */
export function spendLedgerPath(dataDir: string): string {
  return join(dataDir, 'usage', 'spend.jsonl');
}

/**
 * The spend ledger of a data dir, replayed and ready. The one place that
 * builds it, so the app (and the CLI) can swap in a shared instance later.
 */
export async function openSpendLedger(dataDir: string, onWriteError?: (error: Error) => void): Promise<SpendLedger> {
  const ledger = new SpendLedger(spendLedgerPath(dataDir), onWriteError);
  await ledger.load();
  return ledger;
}

/** The UTC calendar day of an instant, as `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Dollars for people: cents, four decimals under a cent, two significant digits below that. */
export function formatUsd(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  if (abs > 0 && abs < 0.0001) return `${sign}$${abs.toFixed(Math.min(10, 1 - Math.floor(Math.log10(abs))))}`;
  return `${sign}$${abs > 0 && abs < 0.01 ? abs.toFixed(4) : abs.toFixed(2)}`;
}

interface DayBucket {
  entries: SpendEntry[];
  costUsd: number;
  costByProvider: Map<string, number>;
}

type Listener = () => void;

/**
 * What every request cost (cloud) or saved (local, cache): an append-only
 * JSONL log with running aggregates in memory for budgets and the Usage page.
 *
 * Days are UTC calendar days throughout (`at` is an ISO instant; its first
 * ten characters are its day), so "today" and "this month" roll over at
 * midnight UTC wherever the machine is, and a log moved between time zones
 * sums the same.
 */
export class SpendLedger implements SpendRecorder {
  /** Lines of the file that could not be read (with their numbers); they are skipped, never fatal. */
  problems: string[] = [];
  private readonly days = new Map<string, DayBucket>();
  private readonly tokensByChat = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private readonly log: JsonlLog<SpendEntry>;

  constructor(path: string, onWriteError: (error: Error) => void = () => undefined) {
    this.log = new JsonlLog(path, SpendEntrySchema as z.ZodType<SpendEntry>, onWriteError);
  }

  /** Replays the file (a missing file is an empty ledger). Call once, before recording. */
  async load(): Promise<void> {
    const { records, problems } = await this.log.replay();
    this.problems.push(...problems);
    for (const entry of records) this.add(entry);
  }

  /** Adds one request: counted at once, written in order in the background, listeners told. */
  record(entry: SpendEntry): void {
    if (!Number.isFinite(Date.parse(entry.at))) entry = { ...entry, at: new Date().toISOString() };
    this.add(entry);
    this.log.append(entry);
    for (const listener of this.listeners) listener();
  }

  /** Resolves when everything recorded so far is on disk. */
  flush(): Promise<void> {
    return this.log.flush();
  }

  /** Calls `listener` after each recorded request (the app broadcasts `usage.changed`); returns an unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Dollars spent at or after `since`, on one provider or on all. */
  spentUsd({ provider, since }: { provider?: string; since: Date }): number {
    const sinceDay = utcDay(since);
    const sinceMs = since.getTime();
    let total = 0;
    for (const [day, bucket] of this.days) {
      if (day < sinceDay) continue;
      if (day > sinceDay) {
        total += provider === undefined ? bucket.costUsd : (bucket.costByProvider.get(provider) ?? 0);
        continue;
      }
      for (const entry of bucket.entries) {
        if (Date.parse(entry.at) < sinceMs || (provider !== undefined && entry.provider !== provider)) continue;
        total += entry.costUsd;
      }
    }
    return total;
  }

  /** Tokens (in + out) a chat has used on paid cloud models (entries that cost something), for the per-chat cap. */
  chatTokens(chatId: string): number {
    return this.tokensByChat.get(chatId) ?? 0;
  }

  /**
   * Spend and traffic for the Usage page, matching UsageSummarySchema.
   * The period defaults to the current UTC month up to today; `budget` lines
   * (today, this month, forecast, alerts) are always about `now`.
   * Throws INVALID_INPUT for a malformed or reversed period.
   */
  summary(period: { since?: string; until?: string }, budget: BudgetSettings, reservedUsd: number, now: Date = new Date()): UsageSummary {
    const today = utcDay(now);
    const monthStart = `${today.slice(0, 7)}-01`;
    const since = period.since ?? monthStart;
    const until = period.until ?? today;
    for (const date of [since, until]) {
      if (!isRealDate(date)) throw new CodedError('INVALID_INPUT', `"${date}" is not a date as YYYY-MM-DD`);
    }
    if (since > until) throw new CodedError('INVALID_INPUT', `The period starts (${since}) after it ends (${until})`);
    const dates = daysBetween(since, until);
    if (dates.length > MAX_SUMMARY_DAYS) throw new CodedError('INVALID_INPUT', `A summary spans at most ${MAX_SUMMARY_DAYS} days`);

    const days: UsageSummary['days'] = [];
    const models = new Map<string, UsageSummary['models'][number]>();
    const totals: UsageSummary['totals'] = { costUsd: 0, inputTokens: 0, outputTokens: 0, requests: 0, errors: 0, savedUsd: 0 };
    for (const date of dates) {
      const row: UsageSummary['days'][number] = {
        date,
        costByModel: {},
        costByProvider: {},
        inputTokens: 0,
        outputTokens: 0,
        requests: 0,
        errors: 0,
        savedUsd: 0,
      };
      for (const entry of this.days.get(date)?.entries ?? []) {
        const error = entry.errorCode === null ? 0 : 1;
        row.costByModel[entry.modelId] = (row.costByModel[entry.modelId] ?? 0) + entry.costUsd;
        const providerKey = entry.provider ?? entry.kind;
        row.costByProvider[providerKey] = (row.costByProvider[providerKey] ?? 0) + entry.costUsd;
        row.inputTokens += entry.inputTokens;
        row.outputTokens += entry.outputTokens;
        row.requests += 1;
        row.errors += error;
        row.savedUsd += entry.savedUsd;

        const key = `${entry.kind}\u0000${entry.provider ?? ''}\u0000${entry.modelId}`;
        const model = models.get(key) ?? {
          modelId: entry.modelId,
          provider: entry.provider,
          kind: entry.kind,
          requests: 0,
          errors: 0,
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          savedUsd: 0,
        };
        model.requests += 1;
        model.errors += error;
        model.inputTokens += entry.inputTokens;
        model.outputTokens += entry.outputTokens;
        model.costUsd += entry.costUsd;
        model.savedUsd += entry.savedUsd;
        models.set(key, model);
      }
      totals.costUsd += sumValues(row.costByProvider);
      totals.inputTokens += row.inputTokens;
      totals.outputTokens += row.outputTokens;
      totals.requests += row.requests;
      totals.errors += row.errors;
      totals.savedUsd += row.savedUsd;
      days.push(row);
    }

    const dayStart = new Date(`${today}T00:00:00.000Z`);
    const monthStartDate = new Date(`${monthStart}T00:00:00.000Z`);
    const spentTodayUsd = this.spentUsd({ since: dayStart });
    const spentMonthUsd = this.spentUsd({ since: monthStartDate });
    const daysElapsed = now.getUTCDate();
    const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
    return {
      since,
      until,
      days,
      models: [...models.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.modelId.localeCompare(b.modelId)),
      totals,
      budget: {
        spentTodayUsd,
        spentMonthUsd,
        reservedUsd,
        dailyUsd: budget.dailyUsd,
        monthlyUsd: budget.monthlyUsd,
        forecastMonthUsd: (spentMonthUsd / daysElapsed) * daysInMonth,
        alerts: this.alerts(budget, dayStart, monthStartDate),
      },
    };
  }

  /** Sentences for every cap whose spend is at or past `budget.alertAt` of it. */
  private alerts(budget: BudgetSettings, dayStart: Date, monthStart: Date): string[] {
    const alerts: string[] = [];
    const check = (label: string, spent: number, cap: number | null) => {
      if (cap === null) return;
      // A zero cap turns paid models off: it is always worth saying.
      const share = cap === 0 ? 1 : spent / cap;
      if (share >= budget.alertAt) alerts.push(`${label}: ${formatUsd(spent)} of ${formatUsd(cap)} spent (${Math.round(share * 100)}%)`);
    };
    check('Daily budget', this.spentUsd({ since: dayStart }), budget.dailyUsd);
    check('Monthly budget', this.spentUsd({ since: monthStart }), budget.monthlyUsd);
    for (const [provider, caps] of Object.entries(budget.perProvider)) {
      check(`Daily budget for ${provider}`, this.spentUsd({ provider, since: dayStart }), caps.dailyUsd);
      check(`Monthly budget for ${provider}`, this.spentUsd({ provider, since: monthStart }), caps.monthlyUsd);
    }
    return alerts;
  }

  private add(entry: SpendEntry): void {
    const day = utcDay(new Date(entry.at));
    let bucket = this.days.get(day);
    if (!bucket) {
      bucket = { entries: [], costUsd: 0, costByProvider: new Map() };
      this.days.set(day, bucket);
    }
    bucket.entries.push(entry);
    bucket.costUsd += entry.costUsd;
    if (entry.provider !== null) bucket.costByProvider.set(entry.provider, (bucket.costByProvider.get(entry.provider) ?? 0) + entry.costUsd);
    if (entry.chatId !== null && entry.kind === 'cloud' && entry.costUsd > 0) {
      this.tokensByChat.set(entry.chatId, this.chatTokens(entry.chatId) + entry.inputTokens + entry.outputTokens);
    }
  }
}

/** The entry on a line, or why it is not one. */
function isRealDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00.000Z`);
  return Number.isFinite(parsed.getTime()) && utcDay(parsed) === date;
}

/** Every UTC day from `since` to `until`, both included, oldest first (stops past the cap). */
function daysBetween(since: string, until: string): string[] {
  const dates: string[] = [];
  const cursor = new Date(`${since}T00:00:00.000Z`);
  for (let day = utcDay(cursor); day <= until && dates.length <= MAX_SUMMARY_DAYS; day = utcDay(cursor)) {
    dates.push(day);
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return dates;
}

function sumValues(record: Record<string, number>): number {
  return Object.values(record).reduce((sum, value) => sum + value, 0);
}
