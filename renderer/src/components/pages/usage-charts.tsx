import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageSummary } from '../../../../shared/ipc/routes/routing';
import { formatCount } from '../../lib/format';
import { formatUsd } from '../../lib/route-format';

/** Series colours readable on both themes' backgrounds. */
const PALETTE = ['#5b63e6', '#1fa37a', '#e08a1e', '#d1455b', '#8e5bd6', '#2b95c9', '#b5a21c', '#7a7f8c'];

type Day = UsageSummary['days'][number];

/** "2024-05-07" → "May 7". */
function shortDate(date: string): string {
  const parsed = new Date(`${date}T00:00:00`);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/**
 * Rows for a stacked bar chart, one series per key. Keys such as `PROVIDER/MODEL`
 * (with dots and slashes) become s0, s1… so recharts never reads them as paths.
 */
function stackRows(days: readonly Day[], pick: (day: Day) => Record<string, number>) {
  const totals = new Map<string, number>();
  for (const day of days) for (const [key, value] of Object.entries(pick(day))) totals.set(key, (totals.get(key) ?? 0) + value);
  // Biggest spender at the bottom of each bar, and the one legend order.
  const keys = [...totals.entries()].filter(([, total]) => total > 0).sort((a, b) => b[1] - a[1]).map(([key]) => key);
  const rows = days.map((day) => {
    const values = pick(day);
    const row: Record<string, string | number> = { label: shortDate(day.date) };
    keys.forEach((key, index) => (row[`s${index}`] = values[key] ?? 0));
    return row;
  });
  return { keys, rows };
}

const axisProps = { tickLine: false, axisLine: false, fontSize: 12 } as const;
const tooltipStyle = { background: 'var(--bg-elevated)', border: '1px solid var(--border)', borderRadius: 8, color: 'var(--text)', fontSize: 12 };

/** Spend per day, stacked by provider or by model. */
export function SpendChart({ days }: { days: readonly Day[] }) {
  const [by, setBy] = useState<'provider' | 'model'>('provider');
  const { keys, rows } = useMemo(() => stackRows(days, (day) => (by === 'provider' ? day.costByProvider : day.costByModel)), [days, by]);
  return (
    <figure className="panel chart" aria-labelledby="spend-chart-title">
      <div className="chart__header">
        <figcaption id="spend-chart-title" className="panel__title">
          Spend per day
        </figcaption>
        <fieldset className="toggle-group">
          <legend className="sr-only">Group spend by</legend>
          {(['provider', 'model'] as const).map((option) => (
            <label key={option} className={`toggle-group__option${by === option ? ' is-checked' : ''}`}>
              <input type="radio" name="spend-by" value={option} checked={by === option} onChange={() => setBy(option)} />
              By {option}
            </label>
          ))}
        </fieldset>
      </div>
      {keys.length === 0 && <p className="muted chart__empty">No paid requests in this period.</p>}
      <div className="chart__canvas" data-testid="spend-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} className="chart__grid" />
            <XAxis dataKey="label" {...axisProps} minTickGap={16} />
            <YAxis {...axisProps} width={64} tickFormatter={(v: number) => formatUsd(v)} />
            <Tooltip formatter={(value) => formatUsd(Number(value))} cursor={{ className: 'chart__cursor' }} contentStyle={tooltipStyle} />
            {keys.length > 0 && <Legend wrapperStyle={{ fontSize: 12 }} />}
            {keys.map((key, index) => (
              <Bar key={key} dataKey={`s${index}`} name={key} stackId="spend" fill={PALETTE[index % PALETTE.length]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Input and output tokens per day. */
export function TokensChart({ days }: { days: readonly Day[] }) {
  const rows = useMemo(() => days.map((day) => ({ label: shortDate(day.date), input: day.inputTokens, output: day.outputTokens })), [days]);
  const empty = days.every((day) => day.inputTokens === 0 && day.outputTokens === 0);
  return (
    <figure className="panel chart" aria-labelledby="tokens-chart-title">
      <div className="chart__header">
        <figcaption id="tokens-chart-title" className="panel__title">
          Tokens per day
        </figcaption>
      </div>
      {empty && <p className="muted chart__empty">No requests in this period.</p>}
      <div className="chart__canvas" data-testid="tokens-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} className="chart__grid" />
            <XAxis dataKey="label" {...axisProps} minTickGap={16} />
            <YAxis {...axisProps} width={64} tickFormatter={(v: number) => formatCount(v)} />
            <Tooltip formatter={(value) => formatCount(Number(value))} cursor={{ className: 'chart__cursor' }} contentStyle={tooltipStyle} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="input" name="Input" stackId="tokens" fill={PALETTE[0]} isAnimationActive={false} />
            <Bar dataKey="output" name="Output" stackId="tokens" fill={PALETTE[1]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
