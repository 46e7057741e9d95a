import { useEffect, useId } from 'react';
import { TASK_TAGS, type TaskTag } from '../../../../shared/ipc/routes/compare';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store/store-context';

/** Ratings with no decimals; the interval as ± its half-width. */
function formatRating(rating: number, low: number, high: number): { value: string; interval: string; range: string } {
  const half = Math.max(0, (high - low) / 2);
  return { value: String(Math.round(rating)), interval: `± ${Math.round(half)}`, range: `95% interval ${Math.round(low)}–${Math.round(high)}` };
}

/** Wins, losses, ties and Bradley–Terry ratings per model, overall or for one kind of task. */
export function LeaderboardTab() {
  const board = useAppStore((s) => s.leaderboard);
  const status = useAppStore((s) => s.leaderboardStatus);
  const error = useAppStore((s) => s.leaderboardError);
  const tag = useAppStore((s) => s.leaderboardTag);
  const byTag = useAppStore((s) => s.leaderboardByTag);
  const setLeaderboardTag = useAppStore((s) => s.setLeaderboardTag);
  const loadLeaderboard = useAppStore((s) => s.loadLeaderboard);
  const titleId = useId();
  const total = Object.values(byTag).reduce((sum, n) => sum + (n ?? 0), 0);

  useEffect(() => {
    void loadLeaderboard();
  }, [loadLeaderboard]);

  const options: { value: TaskTag | null; label: string; count: number | null }[] = [
    { value: null, label: 'All', count: tag === null && board ? board.comparisons : total > 0 ? total : null },
    ...TASK_TAGS.map((t) => ({ value: t, label: t, count: byTag[t] ?? 0 })),
  ];

  return (
    <div className="lab__tab">
      <section className="panel" aria-labelledby={titleId}>
        <div className="chart__header lab-board__header">
          <h2 id={titleId} className="panel__title">
            Leaderboard
          </h2>
          <fieldset className="toggle-group lab-board__tags">
            <legend className="sr-only">Task tag</legend>
            {options.map((option) => {
              const checked = tag === option.value;
              return (
                <label key={option.label} className={`toggle-group__option${checked ? ' is-checked' : ''}`}>
                  <input type="radio" name="leaderboard-tag" value={option.value ?? 'all'} checked={checked} onChange={() => setLeaderboardTag(option.value)} />
                  {option.label}
                  {option.count !== null && <span className="lab-board__count"> {formatCount(option.count)}</span>}
                </label>
              );
            })}
          </fieldset>
        </div>
        <p className="muted lab-board__explain">
          Bradley–Terry ratings from your compare votes, judge scores and lab runs
          {board ? ` · ${formatCount(board.comparisons)} ${board.comparisons === 1 ? 'comparison' : 'comparisons'}` : ''}. 1000 is average; the ± is
          the 95% interval, wide until there are enough comparisons.
        </p>
        {status === 'error' && (
          <div className="notice notice--error" role="alert">
            <span>Could not load the leaderboard: {error}</span>
            <button type="button" className="button button--small" onClick={() => void loadLeaderboard()}>
              Try again
            </button>
          </div>
        )}
        {!board && status === 'loading' && <div className="loading" role="status" aria-label="Loading the leaderboard" />}
        {board && board.rows.length === 0 && (
          <p className="muted">{tag ? `No comparisons tagged ${tag} yet.` : 'No comparisons yet: vote in a compare, or run a lab set on two or more models.'}</p>
        )}
        {board && board.rows.length > 0 && (
          <div className="table-scroll">
            <table className="table lab-board" aria-label="Leaderboard">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Rating
                  </th>
                  <th scope="col" className="num">
                    Wins
                  </th>
                  <th scope="col" className="num">
                    Losses
                  </th>
                  <th scope="col" className="num">
                    Ties
                  </th>
                </tr>
              </thead>
              <tbody>
                {board.rows.map((row, index) => {
                  const rating = formatRating(row.rating, row.ratingLow, row.ratingHigh);
                  return (
                    <tr key={row.modelId}>
                      <td className="num muted">{index + 1}</td>
                      <th scope="row" className="model-row__name">
                        {row.modelId}
                      </th>
                      <td className="num lab-board__rating" title={rating.range}>
                        <strong>{rating.value}</strong> <span className="muted">{rating.interval}</span>
                      </td>
                      <td className="num">{formatCount(row.wins)}</td>
                      <td className="num">{formatCount(row.losses)}</td>
                      <td className="num">{formatCount(row.ties)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
