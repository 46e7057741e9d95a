import { useAppStore } from '../../store/store-context';

const LABELS = { open: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;

/** A dot and a word for the link to the backend. */
export function ConnectionIndicator() {
  const state = useAppStore((s) => s.connection.state);
  const transportKind = useAppStore((s) => s.transportKind);
  const detail = transportKind === 'ipc' ? 'Desktop app' : 'Served on this computer';

  return (
    <div role="status" className={`connection connection--${state}`} title={`${LABELS[state]} · ${detail}`}>
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{LABELS[state]}</span>
    </div>
  );
}
