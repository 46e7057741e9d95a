import { useEffect, useState } from 'react';
import { formatBytes, formatCount } from '../../lib/format';
import { formatUsd } from '../../lib/route-format';
import { useAppStore } from '../../store/store-context';

/** The response cache: how much it holds and saved, and a button that empties it. */
export function CachePanel() {
  const stats = useAppStore((s) => s.cacheStats);
  const loadCacheStats = useAppStore((s) => s.loadCacheStats);
  const clearCache = useAppStore((s) => s.clearCache);
  const [clearing, setClearing] = useState(false);
  const [removed, setRemoved] = useState<number | null>(null);

  useEffect(() => {
    void loadCacheStats();
  }, [loadCacheStats]);

  return (
    <section className="panel" aria-labelledby="cache-title">
      <h2 id="cache-title" className="panel__title">
        Response cache
      </h2>
      {stats ? (
        <dl className="facts">
          <div className="facts__row">
            <dt>Cached answers</dt>
            <dd>{formatCount(stats.entries)}</dd>
          </div>
          <div className="facts__row">
            <dt>Size</dt>
            <dd>{formatBytes(stats.bytes)}</dd>
          </div>
          <div className="facts__row">
            <dt>Hits</dt>
            <dd>{formatCount(stats.hits)}</dd>
          </div>
          <div className="facts__row">
            <dt>Saved by the cache</dt>
            <dd>{formatUsd(stats.savedUsd)}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">No cache numbers yet.</p>
      )}
      <div className="form__actions form__actions--start">
        <button
          type="button"
          className="button"
          disabled={clearing}
          onClick={async () => {
            setClearing(true);
            setRemoved(await clearCache());
            setClearing(false);
          }}
        >
          Clear cache
        </button>
        {removed !== null && (
          <span className="muted" role="status">
            Removed {formatCount(removed)} cached {removed === 1 ? 'answer' : 'answers'}.
          </span>
        )}
      </div>
    </section>
  );
}
