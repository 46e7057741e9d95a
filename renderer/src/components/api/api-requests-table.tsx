import { useEffect } from 'react';
import { formatCount, formatTime } from '../../lib/format';
import { formatMs, formatUsd } from '../../lib/route-format';
import { useAppStore } from '../../store/store-context';

/** The API's request log for the Usage page: who called what, which model answered, what it used, newest first. */
export function ApiRequestsTable() {
  const requests = useAppStore((s) => s.apiRequests);
  const status = useAppStore((s) => s.apiRequestsStatus);
  const loadApiRequests = useAppStore((s) => s.loadApiRequests);

  useEffect(() => {
    void loadApiRequests();
  }, [loadApiRequests]);

  return (
    <section className="panel" aria-labelledby="api-requests-title">
      <h2 id="api-requests-title" className="panel__title">
        API requests
      </h2>
      {status === 'error' && <p className="muted">Could not load the API request log.</p>}
      {status === 'ready' && requests.length === 0 && <p className="muted">No API requests yet. Turn the API server on in the API page and give a tool a key.</p>}
      {requests.length > 0 && (
        <div className="table-scroll">
          <table className="table table--compact" aria-labelledby="api-requests-title">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Key</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Model</th>
                <th scope="col" className="num">
                  Tokens
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col" className="num">
                  Status
                </th>
                <th scope="col" className="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r, i) => (
                <tr key={`${r.at}-${i}`}>
                  <td>{formatTime(r.at)}</td>
                  <td>{r.keyName ?? <span className="muted">no valid key</span>}</td>
                  <td>
                    <code>{r.endpoint}</code>
                  </td>
                  <td>{r.model ?? <span className="muted">—</span>}</td>
                  <td className="num" title={`${formatCount(r.inputTokens)} in, ${formatCount(r.outputTokens)} out`}>
                    {formatCount(r.inputTokens + r.outputTokens)}
                  </td>
                  <td className="num">{formatUsd(r.costUsd)}</td>
                  <td className={`num${r.status >= 400 ? ' api-requests__status--error' : ''}`}>{r.status}</td>
                  <td className="num">{formatMs(r.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
