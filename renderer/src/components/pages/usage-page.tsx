import { useEffect } from 'react';
import type { UsageSummary } from '../../../../shared/ipc/routes/routing';
import { formatCount } from '../../lib/format';
import { formatUsd } from '../../lib/route-format';
import type { UsagePeriod } from '../../store/routing-slice';
import { useAppStore } from '../../store/store-context';
import { ApiRequestsTable } from '../api/api-requests-table';
import { NoticeList } from '../chat/notice-list';
import { BudgetForm } from './budget-form';
import { CachePanel } from './cache-panel';
import { PinnedRulesEditor } from './pinned-rules-editor';
import { SpendChart, TokensChart } from './usage-charts';

const PERIODS: { value: UsagePeriod; label: string }[] = [
  { value: 'month', label: 'This month' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
];

function TotalCard({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="stat">
      <dt className="stat__label">{label}</dt>
      <dd className="stat__value">{value}</dd>
      {detail && <dd className="stat__detail">{detail}</dd>}
    </div>
  );
}

function Totals({ totals }: { totals: UsageSummary['totals'] }) {
  return (
    <dl className="stats" aria-label="Totals">
      <TotalCard label="Spent" value={formatUsd(totals.costUsd)} />
      <TotalCard label="Requests" value={formatCount(totals.requests)} />
      <TotalCard label="Errors" value={formatCount(totals.errors)} detail={totals.requests > 0 ? `${Math.round((totals.errors / totals.requests) * 100)}% of requests` : undefined} />
      <TotalCard label="Saved by local" value={formatUsd(totals.savedUsd)} detail="Local and cached answers" />
      <TotalCard label="Tokens" value={`${formatCount(totals.inputTokens)} in`} detail={`${formatCount(totals.outputTokens)} out`} />
    </dl>
  );
}

/** A cap as a bar: how much of it is used (and, for the month, where spend is heading). */
function CapMeter({ label, spent, cap, forecast }: { label: string; spent: number; cap: number | null; forecast?: number }) {
  if (cap === null) {
    return (
      <div className="cap">
        <div className="cap__row">
          <span className="cap__label">{label}</span>
          <span>
            {formatUsd(spent)} <span className="muted">· no cap</span>
          </span>
        </div>
        {forecast !== undefined && <p className="muted cap__forecast">Month-end forecast {formatUsd(forecast)}</p>}
      </div>
    );
  }
  const share = cap > 0 ? spent / cap : 1;
  const forecastShare = forecast !== undefined && cap > 0 ? forecast / cap : null;
  const level = share >= 1 ? 'over' : forecastShare !== null && forecastShare > 1 ? 'warn' : 'ok';
  return (
    <div className={`cap cap--${level}`}>
      <div className="cap__row">
        <span className="cap__label">{label}</span>
        <span>
          {formatUsd(spent)} of {formatUsd(cap)}
        </span>
      </div>
      <div className="cap__track" role="meter" aria-label={`${label} used`} aria-valuemin={0} aria-valuemax={cap} aria-valuenow={Math.min(spent, cap)} aria-valuetext={`${formatUsd(spent)} of ${formatUsd(cap)}`}>
        <div className="cap__fill" style={{ width: `${Math.min(100, share * 100)}%` }} />
        {forecastShare !== null && <div className="cap__forecast-mark" style={{ left: `${Math.min(100, forecastShare * 100)}%` }} aria-hidden="true" />}
      </div>
      {forecast !== undefined && (
        <p className="muted cap__forecast">
          Month-end forecast {formatUsd(forecast)} {forecast > cap ? `— ${formatUsd(forecast - cap)} over the monthly budget` : `— within the monthly budget`}
        </p>
      )}
    </div>
  );
}

function BudgetStatus({ budget }: { budget: UsageSummary['budget'] }) {
  return (
    <section className="panel" aria-labelledby="budget-status-title">
      <h2 id="budget-status-title" className="panel__title">
        Budget status
      </h2>
      {budget.alerts.length > 0 && (
        <ul className="budget-alerts" aria-label="Budget alerts">
          {budget.alerts.map((alert) => (
            <li key={alert} className="notice notice--warning">
              {alert}
            </li>
          ))}
        </ul>
      )}
      <div className="caps">
        <CapMeter label="Today" spent={budget.spentTodayUsd} cap={budget.dailyUsd} />
        <CapMeter label="This month" spent={budget.spentMonthUsd} cap={budget.monthlyUsd} forecast={budget.forecastMonthUsd} />
      </div>
      {budget.reservedUsd > 0 && <p className="muted">{formatUsd(budget.reservedUsd)} reserved for requests in flight.</p>}
    </section>
  );
}

function ModelsTable({ models }: { models: UsageSummary['models'] }) {
  return (
    <section className="panel" aria-labelledby="usage-models-title">
      <h2 id="usage-models-title" className="panel__title">
        By model
      </h2>
      {models.length === 0 ? (
        <p className="muted">No requests in this period.</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-labelledby="usage-models-title">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Where</th>
                <th scope="col" className="num">
                  Requests
                </th>
                <th scope="col" className="num">
                  Errors
                </th>
                <th scope="col" className="num">
                  Tokens in
                </th>
                <th scope="col" className="num">
                  Tokens out
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col" className="num">
                  Saved
                </th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={`${m.kind}:${m.modelId}`}>
                  <th scope="row" className="model-row__name">
                    {m.modelId}
                  </th>
                  <td>{m.kind === 'local' ? 'This computer' : m.kind === 'cache' ? 'Cache' : (m.provider ?? 'Cloud')}</td>
                  <td className="num">{formatCount(m.requests)}</td>
                  <td className="num">{formatCount(m.errors)}</td>
                  <td className="num">{formatCount(m.inputTokens)}</td>
                  <td className="num">{formatCount(m.outputTokens)}</td>
                  <td className="num">{formatUsd(m.costUsd)}</td>
                  <td className="num">{formatUsd(m.savedUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** What Auto and the cloud models cost: charts, totals, budget, pinned rules and the response cache. */
export function UsagePage() {
  const period = useAppStore((s) => s.usagePeriod);
  const setUsagePeriod = useAppStore((s) => s.setUsagePeriod);
  const usage = useAppStore((s) => s.usage);
  const status = useAppStore((s) => s.usageStatus);
  const error = useAppStore((s) => s.usageError);
  const loadUsage = useAppStore((s) => s.loadUsage);

  useEffect(() => {
    void loadUsage();
  }, [loadUsage]);

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">Usage</h1>
        <div className="page__header-tools">
          <label htmlFor="usage-period" className="sr-only">
            Period
          </label>
          <select id="usage-period" className="input input--compact" value={period} onChange={(event) => setUsagePeriod(event.target.value as UsagePeriod)}>
            {PERIODS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
          <button type="button" className="button button--small" onClick={() => void loadUsage()} disabled={status === 'loading'}>
            Refresh
          </button>
        </div>
      </header>
      <NoticeList />
      <div className="page__body usage">
        {status === 'error' && (
          <div className="notice notice--error" role="alert">
            <span>Could not load usage: {error}</span>
            <button type="button" className="button button--small" onClick={() => void loadUsage()}>
              Try again
            </button>
          </div>
        )}
        {!usage && status === 'loading' && <div className="loading" role="status" aria-label="Loading usage" />}
        {usage && (
          <>
            <Totals totals={usage.totals} />
            <BudgetStatus budget={usage.budget} />
            <div className="charts">
              <SpendChart days={usage.days} />
              <TokensChart days={usage.days} />
            </div>
            <ModelsTable models={usage.models} />
          </>
        )}
        <ApiRequestsTable />
        <div className="usage__settings">
          <BudgetForm />
          <CachePanel />
        </div>
        <PinnedRulesEditor />
      </div>
    </div>
  );
}
