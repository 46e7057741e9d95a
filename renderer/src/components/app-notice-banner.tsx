import { useAppStore } from '../store/store-context';
import { CloseIcon } from './common/icons';

/**
 * The backend's notices about the app itself, over every page: a config file
 * that could not be used (what was kept and where), a settings write that
 * failed. They stay until dismissed.
 */
export function AppNoticeBanner() {
  const notices = useAppStore((s) => s.appNotices);
  const dismiss = useAppStore((s) => s.dismissAppNotice);
  if (notices.length === 0) return null;
  return (
    <section className="app-notices" aria-label="App notices">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice--${notice.level}`} role="alert">
          <span>{notice.message}</span>
          <button type="button" className="icon-button icon-button--small" aria-label="Dismiss notice" onClick={() => void dismiss(notice.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </section>
  );
}
