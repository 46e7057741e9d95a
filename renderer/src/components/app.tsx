import { lazy, Suspense } from 'react';
import { useAppliedTheme } from '../hooks/use-applied-theme';
import { useAppStore } from '../store/store-context';
import { ChatView } from './chat/chat-view';
import { DocumentViewer } from './documents/document-viewer';
import { AppHeader } from './header/app-header';
import { AppNoticeBanner } from './app-notice-banner';
import { PageRail } from './page-rail';
import { ApiPage } from './api/api-page';
import { McpPage } from './pages/mcp-page';
import { DocumentsPage } from './pages/documents-page';
import { ModelsPage } from './pages/models-page';
import { ProvidersPage } from './pages/providers-page';
import { SamplingDialog } from './sampling-dialog';
import { ElicitationDialog } from './mcp/elicitation-dialog';
import { ChatSidebar } from './sidebar/chat-sidebar';

// The Usage page brings the chart library: loaded the first time it is opened.
const UsagePage = lazy(() => import('./pages/usage-page').then((module) => ({ default: module.UsagePage })));
// The Lab page charts too: loaded the same way.
const LabPage = lazy(() => import('./lab/lab-page').then((module) => ({ default: module.LabPage })));
// The Games page is opened now and then: loaded the first time too.
const GamesPage = lazy(() => import('./games/games-page').then((module) => ({ default: module.GamesPage })));

export function App() {
  useAppliedTheme();
  const page = useAppStore((s) => s.page);
  return (
    <div className={`app app--${page}`}>
      <PageRail />
      <AppNoticeBanner />
      {page === 'chats' && (
        <>
          <ChatSidebar />
          <main className="main">
            <AppHeader />
            <ChatView />
          </main>
        </>
      )}
      {page === 'models' && (
        <main className="main main--page">
          <ModelsPage />
        </main>
      )}
      {page === 'providers' && (
        <main className="main main--page">
          <ProvidersPage />
        </main>
      )}
      {page === 'mcp' && (
        <main className="main main--page">
          <McpPage />
        </main>
      )}
      <SamplingDialog />
      <ElicitationDialog />
      {page === 'documents' && (
        <main className="main main--page">
          <DocumentsPage />
        </main>
      )}
      {page === 'usage' && (
        <main className="main main--page">
          <Suspense fallback={<div className="loading" role="status" aria-label="Loading usage" />}>
            <UsagePage />
          </Suspense>
        </main>
      )}
      {page === 'lab' && (
        <main className="main main--page">
          <Suspense fallback={<div className="loading" role="status" aria-label="Loading the lab" />}>
            <LabPage />
          </Suspense>
        </main>
      )}
      {page === 'api' && (
        <main className="main main--page">
          <ApiPage />
        </main>
      )}
      {page === 'games' && (
        <main className="main main--page">
          <Suspense fallback={<div className="loading" role="status" aria-label="Loading games" />}>
            <GamesPage />
          </Suspense>
        </main>
      )}
      {/* One viewer for the whole app: search results and chat citations both open it. */}
      <DocumentViewer />
    </div>
  );
}
