import type { IndexFailure, IndexProgress } from '../../../../shared/ipc/routes/documents';
import { formatCount, formatEta } from '../../lib/format';

const STATE_LABEL: Record<IndexProgress['state'], string> = {
  scanning: 'Looking for files…',
  indexing: 'Indexing',
  done: 'Indexing finished',
  cancelled: 'Indexing cancelled',
  failed: 'Indexing failed',
};

/** The running (or last) indexing job: a real progress bar, files, current file, chunks and time left. */
export function IndexProgressView({ job }: { job: IndexProgress }) {
  const running = job.state === 'scanning' || job.state === 'indexing';
  const known = job.filesTotal > 0 && job.state !== 'scanning';
  return (
    <div className={`index-job index-job--${job.state}`}>
      <div className="index-job__head">
        <span className="index-job__state" role="status">
          {STATE_LABEL[job.state]}
        </span>
        {known && (
          <span className="index-job__count">
            {formatCount(job.filesDone)} of {formatCount(job.filesTotal)} files
          </span>
        )}
      </div>
      <progress
        className="index-job__bar"
        aria-label="Indexing progress"
        max={known ? job.filesTotal : undefined}
        value={known ? Math.min(job.filesDone, job.filesTotal) : running ? undefined : 0}
      />
      <div className="index-job__facts muted">
        <span>{formatCount(job.chunks)} chunks written</span>
        {running && job.etaSeconds !== null && <span>about {formatEta(job.etaSeconds)} left</span>}
        {running && job.detail && <span className="index-job__detail">{job.detail}</span>}
        {running && job.currentFile && (
          <span className="index-job__file" title={job.currentFile}>
            Now: <code>{job.currentFile}</code>
          </span>
        )}
      </div>
      {job.error && (
        <p className="index-job__error" role="alert">
          <code>{job.error.code}</code> {job.error.message}
        </p>
      )}
    </div>
  );
}

/** Files that were skipped, each with what went wrong. */
export function FailureList({ failures }: { failures: readonly IndexFailure[] }) {
  if (failures.length === 0) return null;
  return (
    <details className="failures" open={failures.length <= 8}>
      <summary className="failures__title">Files that could not be read ({failures.length})</summary>
      <ul className="failures__list" aria-label="Files that could not be read">
        {failures.map((failure) => (
          <li key={failure.path} className="failures__item">
            <code className="failures__path" title={failure.path}>
              {failure.path}
            </code>
            <span className="failures__reason">
              {failure.reason} <span className="failures__code">({failure.code})</span>
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
