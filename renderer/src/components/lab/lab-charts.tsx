import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import type { LabModelSummary } from '../../../../shared/ipc/routes/lab';
import { formatUsd } from '../../lib/route-format';

/** Series colours readable on both themes' backgrounds (the Usage page's). */
const PALETTE = ['#5b63e6', '#1fa37a', '#e08a1e', '#d1455b', '#8e5bd6', '#2b95c9', '#b5a21c', '#7a7f8c'];

const axisProps = { tickLine: false, axisLine: false, fontSize: 12 } as const;
const tooltipStyle = { background: 'var(--bg-elevated)', border: '1px solid var(--border)', borderRadius: 8, color: 'var(--text)', fontSize: 12 };

/** "fakecloud/some-long-model-name" → "fakecloud/some-long-mo…". */
function shortName(name: string, max = 24): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

interface Point {
  name: string;
  cost: number;
  quality: number;
  color: string;
}

/**
 * A point's label beside it: to the right, or to the left for points in the
 * right part of the chart (so long names stay inside). Points on the same
 * spot (two free models at the same quality) stack their labels.
 */
function ScatterLabel(props: {
  x?: number | string;
  y?: number | string;
  width?: number | string;
  height?: number | string;
  value?: unknown;
  index?: number;
  points: Point[];
  maxCost: number;
}) {
  const size = Number(props.width ?? 0);
  const cx = Number(props.x ?? 0) + size / 2;
  const cy = Number(props.y ?? 0) + Number(props.height ?? size) / 2;
  const index = props.index ?? 0;
  const point = props.points[index];
  const sameSpot = point ? props.points.slice(0, index).filter((p) => p.cost === point.cost && p.quality === point.quality).length : 0;
  const leftward = point !== undefined && props.maxCost > 0 && point.cost / props.maxCost > 0.55;
  // Stacked labels go down from the point, or up when the point is low in the chart.
  const direction = point !== undefined && point.quality < 20 ? -1 : 1;
  return (
    <text
      x={leftward ? cx - 10 : cx + 10}
      y={cy + 4 + direction * sameSpot * 15}
      textAnchor={leftward ? 'end' : 'start'}
      className="lab-chart__label"
      fontSize={12}
    >
      {shortName(String(props.value ?? ''))}
    </text>
  );
}

/** One point per model: quality (up) against what the run cost (right); the labels name the models. */
export function QualityCostChart({ rows }: { rows: readonly LabModelSummary[] }) {
  const points = useMemo<Point[]>(
    () => rows.map((row, index) => ({ name: row.modelId, cost: row.costUsd, quality: Math.round(row.quality * 1000) / 10, color: PALETTE[index % PALETTE.length]! })),
    [rows],
  );
  const maxCost = Math.max(0, ...points.map((p) => p.cost));
  const domainMax = maxCost > 0 ? maxCost * 1.2 : 0.001;
  return (
    <figure className="panel chart lab-chart" aria-labelledby="lab-scatter-title">
      <div className="chart__header">
        <figcaption id="lab-scatter-title" className="panel__title">
          Quality vs cost
        </figcaption>
      </div>
      <div className="chart__canvas lab-chart__canvas" data-testid="lab-scatter">
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
            <CartesianGrid className="chart__grid" />
            <XAxis
              type="number"
              dataKey="cost"
              name="Cost"
              {...axisProps}
              domain={[0, domainMax]}
              tickFormatter={(v: number) => formatUsd(v)}
              label={{ value: 'Cost of the run', position: 'insideBottom', offset: -4, fontSize: 12, className: 'lab-chart__axis-label' }}
              height={40}
            />
            <YAxis
              type="number"
              dataKey="quality"
              name="Quality"
              {...axisProps}
              domain={[0, 100]}
              ticks={[0, 25, 50, 75, 100]}
              tickFormatter={(v: number) => `${v}%`}
              width={48}
            />
            <ZAxis range={[110, 110]} />
            <Tooltip
              cursor={{ strokeDasharray: '3 3' }}
              contentStyle={tooltipStyle}
              formatter={(value, name) => (name === 'Cost' ? formatUsd(Number(value)) : `${Number(value)}%`)}
              labelFormatter={() => ''}
            />
            <Scatter data={points} name="Models" isAnimationActive={false}>
              {points.map((point) => (
                <Cell key={point.name} fill={point.color} />
              ))}
              <LabelList dataKey="name" content={(props) => <ScatterLabel {...(props as object)} points={points} maxCost={domainMax} />} />
            </Scatter>
          </ScatterChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** One bar per model for one number of the run. */
function ModelBarChart({
  title,
  testId,
  rows,
  value,
  format,
  domain,
}: {
  title: string;
  testId: string;
  rows: readonly LabModelSummary[];
  value: (row: LabModelSummary) => number | null;
  format: (value: number) => string;
  domain?: [number, number];
}) {
  const data = useMemo(() => rows.map((row, index) => ({ name: row.modelId, value: value(row), color: PALETTE[index % PALETTE.length]! })), [rows, value]);
  const titleId = `${testId}-title`;
  const empty = data.every((d) => d.value === null);
  return (
    <figure className="panel chart lab-chart" aria-labelledby={titleId}>
      <div className="chart__header">
        <figcaption id={titleId} className="panel__title">
          {title}
        </figcaption>
      </div>
      {empty && <p className="muted chart__empty">No numbers yet.</p>}
      <div className="chart__canvas lab-chart__canvas lab-chart__canvas--bars" data-testid={testId} style={{ height: Math.max(120, 44 * data.length + 40) }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 56, bottom: 4, left: 8 }}>
            <CartesianGrid horizontal={false} className="chart__grid" />
            <XAxis type="number" {...axisProps} domain={domain ?? [0, 'auto']} tickFormatter={(v: number) => format(v)} />
            <YAxis type="category" dataKey="name" {...axisProps} width={150} tickFormatter={(v: string) => shortName(v, 22)} />
            <Tooltip formatter={(v) => format(Number(v))} cursor={{ className: 'chart__cursor' }} contentStyle={tooltipStyle} />
            <Bar dataKey="value" name={title} isAnimationActive={false} barSize={18} minPointSize={2} radius={[0, 4, 4, 0]}>
              {data.map((d) => (
                <Cell key={d.name} fill={d.color} />
              ))}
              <LabelList dataKey="value" position="right" fontSize={12} className="lab-chart__value" formatter={(v: unknown) => (v === null || v === undefined ? '' : format(Number(v)))} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const quality = (row: LabModelSummary) => Math.round(row.quality * 1000) / 10;
const tokensPerSecond = (row: LabModelSummary) => row.tokensPerSecond;

/** Per-model bars: quality, and tokens per second. */
export function ModelBars({ rows }: { rows: readonly LabModelSummary[] }) {
  return (
    <>
      <ModelBarChart title="Quality by model" testId="lab-quality-bars" rows={rows} value={quality} format={(v) => `${Math.round(v)}%`} domain={[0, 100]} />
      <ModelBarChart title="Tokens per second by model" testId="lab-speed-bars" rows={rows} value={tokensPerSecond} format={(v) => `${Math.round(v)}/s`} />
    </>
  );
}
