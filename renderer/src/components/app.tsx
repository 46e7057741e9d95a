import { useAppliedTheme } from '../hooks/use-applied-theme';
import { ChatView } from './chat/chat-view';
import { AppHeader } from './header/app-header';
import { ChatSidebar } from './sidebar/chat-sidebar';

export function App() {
  useAppliedTheme();
  return (
    <div className="app">
      <ChatSidebar />
      <main className="main">
        <AppHeader />
        <ChatView />
      </main>
    </div>
  );
}
