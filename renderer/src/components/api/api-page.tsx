import { useEffect } from 'react';
import { useAppStore } from '../../store/store-context';
import { NoticeList } from '../chat/notice-list';
import { ApiKeysPanel } from './api-keys-panel';
import { ApiServerPanel } from './api-server-panel';

/** Tandem as a server for other tools: the API server's switch and settings, and its keys. The request log is on the Usage page. */
export function ApiPage() {
  const loadApi = useAppStore((s) => s.loadApi);
  const showPage = useAppStore((s) => s.showPage);

  useEffect(() => {
    void loadApi();
  }, [loadApi]);

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">API server</h1>
      </header>
      <NoticeList />
      <div className="page__body api-page">
        <ApiServerPanel />
        <ApiKeysPanel />
        <p className="muted">
          Requests are listed on the{' '}
          <button type="button" className="link-button" onClick={() => showPage('usage')}>
            Usage page
          </button>
          .
        </p>
      </div>
    </div>
  );
}
