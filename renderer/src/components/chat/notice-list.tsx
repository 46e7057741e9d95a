import { useEffect } from 'react';
import { useAppStore } from '../../store/store-context';
import { CloseIcon } from '../common/icons';

const INFO_NOTICE_MS = 6000;

/** Problems that belong to no single message (a send that failed, a lost connection). */
export function NoticeList() {
  const notices = useAppStore((s) => s.notices);
  const dismissNotice = useAppStore((s) => s.dismissNotice);
  const connection = useAppStore((s) => s.connection);
  const transportKind = useAppStore((s) => s.transportKind);

  useEffect(() => {
    const timers = notices
      .filter((notice) => notice.kind === 'info')
      .map((notice) => setTimeout(() => dismissNotice(notice.id), INFO_NOTICE_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices, dismissNotice]);

  const lost = connection.state === 'reconnecting' && connection.failures >= 2;

  return (
    <div className="notices">
      {lost && (
        <div className="notice notice--warning" role="status">
          <span>
            Can’t reach Tandem; retrying.
            {transportKind === 'websocket' && ' If you restarted `tandem serve`, open the new link it printed.'}
          </span>
        </div>
      )}
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice--${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <span>{notice.message}</span>
          <button type="button" className="icon-button icon-button--small" onClick={() => dismissNotice(notice.id)}>
            <CloseIcon />
            <span className="sr-only">Dismiss</span>
          </button>
        </div>
      ))}
    </div>
  );
}
