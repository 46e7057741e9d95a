import type { DownloadStatus } from '../../../../shared/ipc/routes/downloads';
import { formatBytes, formatEta } from '../../lib/format';
import { downloadName } from '../../store/downloads-slice';
import { useAppStore } from '../../store/store-context';

const STATE_LABEL: Record<DownloadStatus['state'], string> = {
  queued: 'Queued',
  downloading: 'Downloading',
  verifying: 'Verifying',
  paused: 'Paused',
  completed: 'Downloaded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** What the error code means for the person, beside the backend's own message. */
function errorHint(code: string): string {
  switch (code) {
    case 'NOT_GGUF':
      return 'The file is not a GGUF model (maybe a web page or a login wall).';
    case 'DISK_FULL':
      return 'The disk is full. Free some space, then retry.';
    case 'NETWORK':
      return 'The connection failed. Retry resumes where it stopped.';
    case 'CHECKSUM_MISMATCH':
      return 'The file did not match its checksum.';
    default:
      return '';
  }
}

function DownloadItem({ status }: { status: DownloadStatus }) {
  const pause = useAppStore((s) => s.pauseDownload);
  const resume = useAppStore((s) => s.resumeDownload);
  const cancel = useAppStore((s) => s.cancelDownload);
  const dismiss = useAppStore((s) => s.dismissDownload);
  const name = downloadName(status);
  const { state, bytesDone, totalBytes } = status;
  const active = state === 'downloading' || state === 'queued' || state === 'verifying';
  const finished = state === 'completed' || state === 'cancelled';
  const percent = totalBytes ? Math.min(100, Math.floor((bytesDone / totalBytes) * 100)) : null;
  const notFound = status.error?.code === 'DOWNLOAD_FAILED' && /\b404\b/.test(status.error.message);

  return (
    <li className={`download download--${state}`} aria-label={name}>
      <div className="download__header">
        <span className="download__name" title={status.uri}>
          {name}
        </span>
        <span className={`badge ${state === 'failed' ? 'badge--error' : state === 'completed' ? 'badge--loaded' : active ? 'badge--streaming' : ''}`}>
          {STATE_LABEL[state]}
        </span>
      </div>
      {!finished && state !== 'failed' && (
        <progress
          className="download__bar"
          aria-label={`Downloading ${name}`}
          max={totalBytes ?? undefined}
          value={totalBytes ? Math.min(bytesDone, totalBytes) : undefined}
        />
      )}
      <div className="download__facts muted">
        {state !== 'cancelled' && !(state === 'failed' && bytesDone === 0) && (
          <span>
            {formatBytes(bytesDone)}
            {totalBytes ? ` of ${formatBytes(totalBytes)}` : ''}
            {percent !== null && state !== 'completed' ? ` · ${percent}%` : ''}
          </span>
        )}
        {state === 'downloading' && status.bytesPerSecond > 0 && <span>{formatBytes(status.bytesPerSecond)}/s</span>}
        {state === 'downloading' && status.etaSeconds !== null && <span>{formatEta(status.etaSeconds)} left</span>}
        {state === 'completed' && <span>Added to Local models</span>}
      </div>
      {status.error && state === 'failed' && (
        <div className="download__error" role="alert">
          <code className="message__error-code">
            {status.error.code}
            {notFound ? ' (404)' : ''}
          </code>{' '}
          {status.error.message} {errorHint(status.error.code)}
        </div>
      )}
      <div className="download__actions">
        {active && (
          <button type="button" className="button button--small" aria-label={`Pause ${name}`} onClick={() => void pause(status.id)}>
            Pause
          </button>
        )}
        {state === 'paused' && (
          <button type="button" className="button button--small button--primary" aria-label={`Resume ${name}`} onClick={() => void resume(status.id)}>
            Resume
          </button>
        )}
        {state === 'failed' && (
          <button type="button" className="button button--small button--primary" aria-label={`Retry ${name}`} onClick={() => void resume(status.id)}>
            Retry
          </button>
        )}
        {(active || state === 'paused' || state === 'failed') && (
          <button type="button" className="button button--small" aria-label={`Cancel ${name}`} onClick={() => void cancel(status.id)}>
            Cancel
          </button>
        )}
        {(finished || state === 'failed') && (
          <button type="button" className="button button--small" aria-label={`Dismiss ${name}`} onClick={() => dismiss(status.id)}>
            Dismiss
          </button>
        )}
      </div>
    </li>
  );
}

/** Downloads in flight, paused (also from an earlier run), finished or failed. */
export function DownloadsPanel() {
  const downloads = useAppStore((s) => s.downloads);
  const dismissed = useAppStore((s) => s.dismissedDownloads);
  const shown = Object.values(downloads).filter((d) => !dismissed.includes(d.id));

  return (
    <section className="panel" aria-labelledby="downloads-title">
      <h2 id="downloads-title" className="panel__title">
        Downloads
      </h2>
      {shown.length === 0 ? (
        <p className="muted">No downloads. Pick a model from the catalog or paste a URL.</p>
      ) : (
        <ul className="downloads" aria-label="Downloads">
          {shown.map((status) => (
            <DownloadItem key={status.id} status={status} />
          ))}
        </ul>
      )}
    </section>
  );
}
