import type { BudgetSettings } from '../../../shared/ipc/routes/routing';
import { ProviderNameSchema } from '../../../shared/ipc/routes/providers';
import { formatUsd, utcDay, type SpendLedger } from '../routing/spend-ledger';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface BudgetCommandOptions {
  daily?: string;
  monthly?: string;
  provider?: string;
  chatTokens?: string;
  alertAt?: string;
  json: boolean;
}

/** A change to the caps: undefined leaves a cap as it is, null clears it. */
interface BudgetChange {
  dailyUsd?: number | null;
  monthlyUsd?: number | null;
  perChatTokens?: number | null;
  alertAt?: number;
}

/**
 * `tandem budget [show]` prints the caps, what was spent today and this
 * month (UTC days) and what is left; `tandem budget set …` changes caps
 * (`none` clears one), globally or for one `--provider`.
 */
export async function runBudget(global: GlobalOptions, args: string[], options: BudgetCommandOptions): Promise<number> {
  const [sub = 'show', ...rest] = args;
  if ((sub !== 'show' && sub !== 'set') || rest.length > 0) {
    return usage('use `tandem budget`, `tandem budget show` or `tandem budget set [--daily USD] [--monthly USD] [--provider NAME] [--chat-tokens N] [--alert-at 0.8]`');
  }
  let change: BudgetChange | null = null;
  if (sub === 'set') {
    const parsed = parseChange(options);
    if (typeof parsed === 'string') return usage(parsed);
    change = parsed;
  } else if ([options.daily, options.monthly, options.provider, options.chatTokens, options.alertAt].some((value) => value !== undefined)) {
    return usage('to change caps use `tandem budget set …`');
  }
  return withCliCore(global, `budget ${sub}`, async (core) => {
    if (change) {
      const routing = core.settings.get().routing;
      const budget = applyChange(routing.budget, change, options.provider);
      await core.settings.update({ routing: { ...routing, budget } });
    }
    const ledger = core.routing.spend;
    const budget = core.settings.get().routing.budget;
    if (options.json) {
      process.stdout.write(`${JSON.stringify(budgetReport(budget, ledger, new Date()), null, 2)}\n`);
      return 0;
    }
    if (change) process.stdout.write('Budget saved.\n');
    process.stdout.write(formatBudget(budget, ledger, new Date()));
    return 0;
  });
}

/** The caps with spend and what is left, as `--json` prints them. */
function budgetReport(budget: BudgetSettings, ledger: SpendLedger, now: Date) {
  const { dayStart, monthStart } = windows(now);
  const left = (cap: number | null, spent: number) => (cap === null ? null : Math.max(0, cap - spent));
  const spentTodayUsd = ledger.spentUsd({ since: dayStart });
  const spentMonthUsd = ledger.spentUsd({ since: monthStart });
  return {
    budget,
    spentTodayUsd,
    spentMonthUsd,
    leftTodayUsd: left(budget.dailyUsd, spentTodayUsd),
    leftMonthUsd: left(budget.monthlyUsd, spentMonthUsd),
    providers: Object.fromEntries(
      Object.entries(budget.perProvider).map(([provider, caps]) => {
        const today = ledger.spentUsd({ provider, since: dayStart });
        const month = ledger.spentUsd({ provider, since: monthStart });
        return [provider, { ...caps, spentTodayUsd: today, spentMonthUsd: month, leftTodayUsd: left(caps.dailyUsd, today), leftMonthUsd: left(caps.monthlyUsd, month) }];
      }),
    ),
    alerts: ledger.summary({}, budget, 0, now).budget.alerts,
  };
}

/** The text of `tandem budget show`. */
export function formatBudget(budget: BudgetSettings, ledger: SpendLedger, now: Date): string {
  const report = budgetReport(budget, ledger, now);
  const line = (label: string, spent: number, cap: number | null, when: string) =>
    cap === null
      ? `${label}${formatUsd(spent)} spent ${when} (no cap)\n`
      : `${label}${formatUsd(spent)} of ${formatUsd(cap)} spent ${when}, ${formatUsd(Math.max(0, cap - spent))} left\n`;
  let text = `Budget (days are UTC; today is ${utcDay(now)})\n`;
  text += line('  Daily:    ', report.spentTodayUsd, budget.dailyUsd, 'today');
  text += line('  Monthly:  ', report.spentMonthUsd, budget.monthlyUsd, 'this month');
  for (const [provider, caps] of Object.entries(report.providers)) {
    text += `  ${provider}:\n`;
    text += line('    Daily:    ', caps.spentTodayUsd, caps.dailyUsd, 'today');
    text += line('    Monthly:  ', caps.spentMonthUsd, caps.monthlyUsd, 'this month');
  }
  text += `  Per chat: ${budget.perChatTokens === null ? 'no token cap' : `${budget.perChatTokens.toLocaleString('en-US')} tokens on paid models`}\n`;
  text += `  Alert at: ${Math.round(budget.alertAt * 100)}% of a cap\n`;
  for (const alert of report.alerts) text += `! ${alert}\n`;
  return text;
}

function parseChange(options: BudgetCommandOptions): BudgetChange | string {
  const change: BudgetChange = {};
  if (options.provider !== undefined) {
    if (!ProviderNameSchema.safeParse(options.provider).success) return '--provider must be a provider name (lowercase letters, digits, _ and -)';
    if (options.daily === undefined && options.monthly === undefined) return '--provider needs --daily and/or --monthly';
    if (options.chatTokens !== undefined || options.alertAt !== undefined) return '--chat-tokens and --alert-at are not per provider; set them without --provider';
  }
  for (const [flag, value, key] of [
    ['--daily', options.daily, 'dailyUsd'],
    ['--monthly', options.monthly, 'monthlyUsd'],
  ] as const) {
    if (value === undefined) continue;
    const usd = parseCap(value, (n) => n >= 0);
    if (usd === undefined) return `${flag} must be an amount in US dollars (like 5 or 0.50) or "none"`;
    change[key] = usd;
  }
  if (options.chatTokens !== undefined) {
    const tokens = parseCap(options.chatTokens, (n) => Number.isInteger(n) && n >= 1);
    if (tokens === undefined) return '--chat-tokens must be a whole number of tokens or "none"';
    change.perChatTokens = tokens;
  }
  if (options.alertAt !== undefined) {
    const share = Number(options.alertAt);
    if (options.alertAt.trim() === '' || !(share >= 0 && share <= 1)) return '--alert-at must be a share from 0 to 1 (0.8 warns at 80%)';
    change.alertAt = share;
  }
  if (Object.keys(change).length === 0) return 'set needs at least one of --daily, --monthly, --chat-tokens, --alert-at';
  return change;
}

/** A number that passes `valid`, null for "none", undefined when neither. */
function parseCap(value: string, valid: (n: number) => boolean): number | null | undefined {
  if (value.trim().toLowerCase() === 'none') return null;
  const n = Number(value.trim().replace(/^\$/, ''));
  return value.trim() !== '' && Number.isFinite(n) && valid(n) ? n : undefined;
}

function applyChange(budget: BudgetSettings, change: BudgetChange, provider: string | undefined): BudgetSettings {
  if (provider === undefined) {
    return {
      ...budget,
      ...(change.dailyUsd !== undefined ? { dailyUsd: change.dailyUsd } : {}),
      ...(change.monthlyUsd !== undefined ? { monthlyUsd: change.monthlyUsd } : {}),
      ...(change.perChatTokens !== undefined ? { perChatTokens: change.perChatTokens } : {}),
      ...(change.alertAt !== undefined ? { alertAt: change.alertAt } : {}),
    };
  }
  const current = budget.perProvider[provider] ?? { dailyUsd: null, monthlyUsd: null };
  const next = { dailyUsd: change.dailyUsd !== undefined ? change.dailyUsd : current.dailyUsd, monthlyUsd: change.monthlyUsd !== undefined ? change.monthlyUsd : current.monthlyUsd };
  const perProvider = { ...budget.perProvider };
  // A provider with no caps left has no entry.
  if (next.dailyUsd === null && next.monthlyUsd === null) delete perProvider[provider];
  else perProvider[provider] = next;
  return { ...budget, perProvider };
}

function windows(now: Date): { dayStart: Date; monthStart: Date } {
  const day = utcDay(now);
  return { dayStart: new Date(`${day}T00:00:00.000Z`), monthStart: new Date(`${day.slice(0, 7)}-01T00:00:00.000Z`) };
}

function usage(message: string): number {
  process.stderr.write(`tandem budget: ${message}\n`);
  return 2;
}
