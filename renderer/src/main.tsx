import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickTransport } from './client/pick-transport';
import { TandemClient } from './client/tandem-client';
import { App } from './components/app';
import { MissingTokenScreen } from './components/missing-token-screen';
import { applyCachedTheme } from './hooks/use-applied-theme';
import { createAppStore } from './store/create-app-store';
import { startApp } from './store/start-app';
import { StoreProvider } from './store/store-context';
import './styles/index.css';

// The composition root of the renderer: transport → client → store → UI.
applyCachedTheme();
const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);
const choice = pickTransport();

if (!choice.ok) {
  root.render(<MissingTokenScreen />);
} else {
  const client = new TandemClient(choice.transport);
  const store = createAppStore({ client });
  startApp(store, client);
  root.render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
}
