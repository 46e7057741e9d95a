import type { UsageSummary } from '../../../shared/ipc/routes/routing';
import { formatUsd } from '../routing/spend-ledger';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface UsageCommandOptions {
  since?: string;
  until?: string;
  by?: string;
  json: boolean;
}

const GROUPINGS = ['model', 'provider', 'day'] as const;
type Grouping = (typeof GROUPINGS)[number];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Row {
  label: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  savedUsd: number;
}

/**
 * `tandem usage [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--by model|provider|day] [--json]`:
 * requests, errors, tokens, cost and savings over a period of UTC days (default:
 * this month), with totals and the budget lines; `--json` prints the UsageSummary.
 */
export async function runUsage(global: GlobalOptions, options: UsageCommandOptions): Promise<number> {
  for (const [flag, value] of [
    ['--since', options.since],
    ['--until', options.until],
  ] as const) {
    if (value !== undefined && !DATE.test(value)) return usage(`${flag} must be a date as YYYY-MM-DD`);
  }
  const by = (options.by ?? 'model') as Grouping;
  if (!GROUPINGS.includes(by)) return usage('--by must be model, provider or day');
  return withCliCore(global, 'usage', async (core) => {
    const ledger = core.routing.spend;
    const summary = ledger.summary({ since: options.since, until: options.until }, core.settings.get().routing.budget, 0);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(formatUsage(summary, by));
    return 0;
  });
}

/** The text of `tandem usage`: a table grouped as asked, totals, then the budget lines. */
export function formatUsage(summary: UsageSummary, by: Grouping): string {
  let text = `Usage ${summary.since} to ${summary.until} (UTC days)\n`;
  if (summary.totals.requests === 0 && by !== 'day') {
    text += 'No requests in this period.\n';
  } else {
    const rows = groupRows(summary, by);
    const header = [by.toUpperCase(), 'REQUESTS', 'ERRORS', 'TOKENS IN', 'TOKENS OUT', 'COST', 'SAVED'];
    const cells = (row: Row) => [
      row.label,
      String(row.requests),
      String(row.errors),
      row.inputTokens.toLocaleString('en-US'),
      row.outputTokens.toLocaleString('en-US'),
      formatUsd(row.costUsd),
      formatUsd(row.savedUsd),
    ];
    const table = [header, ...rows.map(cells), cells({ label: 'TOTAL', ...summary.totals })];
    const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
    text += table
      .map((row) => `${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}\n`)
      .join('');
  }
  const { budget } = summary;
  const cap = (value: number | null) => (value === null ? 'no cap' : `cap ${formatUsd(value)}`);
  text += `Today: ${formatUsd(budget.spentTodayUsd)} spent (${cap(budget.dailyUsd)})\n`;
  text += `This month: ${formatUsd(budget.spentMonthUsd)} spent (${cap(budget.monthlyUsd)}); forecast ${formatUsd(budget.forecastMonthUsd)} by month end\n`;
  if (budget.reservedUsd > 0) text += `Reserved for requests in flight: ${formatUsd(budget.reservedUsd)}\n`;
  for (const alert of budget.alerts) text += `! ${alert}\n`;
  return text;
}

function groupRows(summary: UsageSummary, by: Grouping): Row[] {
  if (by === 'day') return summary.days.map((day) => ({ label: day.date, ...day, costUsd: Object.values(day.costByProvider).reduce((a, b) => a + b, 0) }));
  if (by === 'model') {
    return summary.models.map((model) => ({ ...model, label: model.kind === 'cloud' ? model.modelId : `${model.modelId} (${model.kind})` }));
  }
  const providers = new Map<string, Row>();
  for (const model of summary.models) {
    const label = model.kind === 'cloud' ? (model.provider ?? model.modelId) : model.kind;
    const row = providers.get(label) ?? { label, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, savedUsd: 0 };
    row.requests += model.requests;
    row.errors += model.errors;
    row.inputTokens += model.inputTokens;
    row.outputTokens += model.outputTokens;
    row.costUsd += model.costUsd;
    row.savedUsd += model.savedUsd;
    providers.set(label, row);
  }
  return [...providers.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.label.localeCompare(b.label));
}

function usage(message: string): number {
  process.stderr.write(`tandem usage: ${message}\n`);
  return 2;
}
