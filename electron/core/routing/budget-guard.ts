import { CodedError } from '../../../shared/ipc/errors';
import type { BudgetSettings } from '../../../shared/ipc/routes/routing';
import { formatUsd, utcDay, type SpendLedger } from './spend-ledger';

/** Why a request may not go out: which cap, in a sentence, and the dollars left under it. */
export interface BudgetRefusal {
  /** The cap's name as a user reads it: "Daily budget", "Monthly budget for openai", "Chat token budget". */
  cap: string;
  message: string;
  /** Dollars left under the cap (0 for the chat token cap, which counts tokens). */
  leftUsd: number;
}

/** What a request may use at most, besides its worst-case dollars. */
export interface BudgetRequestOptions {
  /** The chat the request belongs to (per-chat token cap). */
  chatId?: string | null;
  /** Prompt tokens plus max output tokens. */
  worstCaseTokens?: number;
}

/**
 * Money held for one request in flight. The first of `settle` / `release`
 * wins; later calls do nothing.
 */
export interface Reservation {
  /**
   * The request is done and its real cost is known. The caller records that
   * cost in the guard's ledger in the same tick (right after), so the money
   * is always counted once: as a hold, then as spend.
   */
  settle(actualUsd: number, tokens?: number): void;
  /** The request cost nothing (failed before any token): the hold is dropped. */
  release(): void;
}

export interface BudgetGuardOptions {
  settings: () => BudgetSettings;
  ledger: SpendLedger;
  now?: () => Date;
}

interface Hold {
  provider: string | null;
  usd: number;
  chatId: string | null;
  tokens: number;
}

/** Float slack so a request that exactly fits a cap is not refused by rounding. */
const EPSILON_USD = 1e-9;

/**
 * Spending caps, enforced before a paid request is sent: settled spend (the
 * ledger) plus every outstanding reservation plus this request's worst case
 * must fit each cap. Checking and reserving happen in one synchronous step,
 * so concurrent requests can never overspend together.
 *
 * Caps checked: daily and monthly (UTC days, as the ledger), per provider
 * daily and monthly, and the per-chat token cap. Free requests (worst case
 * $0) pass every cap: money caps trivially, and the chat token cap counts
 * paid models only.
 */
export class BudgetGuard {
  private readonly holds = new Set<Hold>();
  private readonly settings: () => BudgetSettings;
  private readonly ledger: SpendLedger;
  private readonly now: () => Date;

  constructor(options: BudgetGuardOptions) {
    this.settings = options.settings;
    this.ledger = options.ledger;
    this.now = options.now ?? (() => new Date());
  }

  /** The first cap this request would break, or null when it fits; reserves nothing (Auto uses it to rule candidates out). */
  refusal(provider: string | null, worstCaseUsd: number, options: BudgetRequestOptions = {}): BudgetRefusal | null {
    // Free passes; NaN or Infinity (a broken price) falls through and is refused by any money cap.
    if (worstCaseUsd <= 0) return null;
    const budget = this.settings();
    const now = this.now();
    const dayStart = new Date(`${utcDay(now)}T00:00:00.000Z`);
    const monthStart = new Date(`${utcDay(now).slice(0, 7)}-01T00:00:00.000Z`);
    const cost = formatUsd(worstCaseUsd);

    const money = (cap: string, capUsd: number | null, spent: () => number, reserved: number, when: string): BudgetRefusal | null => {
      if (capUsd === null) return null;
      const leftUsd = Math.max(0, capUsd - spent() - reserved);
      if (worstCaseUsd <= leftUsd + EPSILON_USD) return null;
      return {
        cap,
        leftUsd,
        message: `${cap} of ${formatUsd(capUsd)} would be exceeded: ${formatUsd(leftUsd)} left ${when}; this request could cost up to ${cost}`,
      };
    };
    const reservedAll = this.reservedUsd();
    const reservedProvider = provider === null ? 0 : this.reservedUsd(provider);
    const caps = provider === null ? undefined : budget.perProvider[provider];
    const refusal =
      money('Daily budget', budget.dailyUsd, () => this.ledger.spentUsd({ since: dayStart }), reservedAll, 'today') ??
      money('Monthly budget', budget.monthlyUsd, () => this.ledger.spentUsd({ since: monthStart }), reservedAll, 'this month') ??
      (provider === null || caps === undefined
        ? null
        : (money(`Daily budget for ${provider}`, caps.dailyUsd, () => this.ledger.spentUsd({ provider, since: dayStart }), reservedProvider, 'today') ??
          money(`Monthly budget for ${provider}`, caps.monthlyUsd, () => this.ledger.spentUsd({ provider, since: monthStart }), reservedProvider, 'this month')));
    if (refusal) return refusal;

    const chatId = options.chatId ?? null;
    if (budget.perChatTokens === null || chatId === null) return null;
    const tokens = options.worstCaseTokens ?? 0;
    let used = this.ledger.chatTokens(chatId);
    for (const hold of this.holds) if (hold.chatId === chatId) used += hold.tokens;
    const left = Math.max(0, budget.perChatTokens - used);
    if (tokens <= left) return null;
    const count = (n: number) => n.toLocaleString('en-US');
    return {
      cap: 'Chat token budget',
      leftUsd: 0,
      message: `Chat token budget of ${count(budget.perChatTokens)} tokens would be exceeded: ${count(left)} tokens left in this chat; this request could use up to ${count(tokens)}`,
    };
  }

  /**
   * Holds the request's worst case against every cap, or throws
   * BUDGET_EXCEEDED naming the cap and what is left. Synchronous: the check
   * and the hold happen in one step.
   */
  reserve(provider: string | null, worstCaseUsd: number, options: BudgetRequestOptions = {}): Reservation {
    const refusal = this.refusal(provider, worstCaseUsd, options);
    if (refusal) throw new CodedError('BUDGET_EXCEEDED', refusal.message, { details: { cap: refusal.cap, leftUsd: refusal.leftUsd } });
    const paid = worstCaseUsd > 0;
    const hold: Hold = {
      provider,
      usd: Number.isFinite(worstCaseUsd) ? Math.max(0, worstCaseUsd) : 0,
      chatId: paid ? (options.chatId ?? null) : null,
      tokens: paid ? (options.worstCaseTokens ?? 0) : 0,
    };
    this.holds.add(hold);
    const drop = () => void this.holds.delete(hold);
    return { settle: drop, release: drop };
  }

  /** Dollars held for requests in flight (worst case, not yet settled), on one provider or on all. */
  reservedUsd(provider?: string): number {
    let total = 0;
    for (const hold of this.holds) if (provider === undefined || hold.provider === provider) total += hold.usd;
    return total;
  }
}
