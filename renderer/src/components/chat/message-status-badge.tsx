import type { MessageStatus } from '../../../../shared/ipc/domain';

const BADGES: Partial<Record<MessageStatus, { label: string; title: string }>> = {
  streaming: { label: 'Streaming…', title: 'The answer is still being written' },
  cancelled: { label: 'Stopped', title: 'You stopped this answer' },
  interrupted: { label: 'Interrupted', title: 'Tandem stopped before this answer finished; the text it had is kept' },
  error: { label: 'Error', title: 'This answer failed' },
};

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  const badge = BADGES[status];
  if (!badge) return null;
  return (
    <span className={`badge badge--${status}`} title={badge.title}>
      {status === 'streaming' && <span className="badge__pulse" aria-hidden="true" />}
      {badge.label}
    </span>
  );
}
