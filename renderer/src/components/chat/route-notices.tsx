import type { Fallback } from '../../../../shared/ipc/routes/routing';
import type { QueuedState } from '../../store/stream-reducer';

/** "MODEL failed (CODE); NEXT answered", one line per model that gave way. */
export function FallbackNotices({ fallbacks }: { fallbacks: readonly Fallback[] }) {
  return (
    <ul className="message__fallbacks" aria-label="Fallbacks">
      {fallbacks.map((f, index) => (
        <li key={`${index}-${f.failedModelId}`} className="message__fallback" title={f.message}>
          <strong>{f.failedModelId}</strong> failed (<code>{f.code}</code>); <strong>{f.nextModelId}</strong> answered
        </li>
      ))}
    </ul>
  );
}

/** The request waits in its provider's queue; shown live until the first words. */
export function QueuedNotice({ queued }: { queued: QueuedState }) {
  return (
    <div className="message__retry message__queued" role="status" aria-live="polite" title={`Waiting for ${queued.provider}'s concurrency or rate limit`}>
      <span className="message__retry-spinner" aria-hidden="true" />
      <span>
        Queued (position {queued.position}) at {queued.provider}
      </span>
    </div>
  );
}
