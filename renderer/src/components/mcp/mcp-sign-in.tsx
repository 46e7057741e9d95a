import { useState } from 'react';
import type { McpServerStatus } from '../../../../shared/ipc/routes/mcp';
import { useAppStore } from '../../store/store-context';

/**
 * An HTTP server's sign-in: who Tandem is signed in as ("Connected as …" or
 * "Authorized") with Sign out, or Sign in when the server asks for it. The
 * desktop app opens the consent page in the system browser itself; in a
 * browser (serve mode) the page offers the link to open.
 */
export function McpSignIn({ server }: { server: McpServerStatus }) {
  const loginMcpServer = useAppStore((s) => s.loginMcpServer);
  const logoutMcpServer = useAppStore((s) => s.logoutMcpServer);
  const desktop = useAppStore((s) => s.appInfo?.mode === 'desktop');
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const auth = server.auth;
  if (!auth || server.config.transport !== 'http') return null;
  const { state } = auth;
  if (state === 'none' && auth.account === null) return null;

  const signIn = () => {
    setBusy(true);
    void loginMcpServer(server.name)
      .then((url) => setLink(url))
      .finally(() => setBusy(false));
  };
  const signOut = () => {
    setBusy(true);
    setLink(null);
    void logoutMcpServer(server.name).finally(() => setBusy(false));
  };
  const consentUrl = state === 'authorizing' ? (link ?? auth.authorizationUrl) : null;
  const scopes = auth.scopes.length > 0 ? ` · scopes ${auth.scopes.join(' ')}` : '';

  return (
    <section className={`mcp-sign-in mcp-sign-in--${state}`} aria-label={`Sign-in for ${server.name}`}>
      {state === 'authorized' && (
        <>
          <p className="mcp-sign-in__status" role="status">
            <span className="mcp-sign-in__dot" aria-hidden="true" />
            {auth.account ? (
              <>
                Connected as <strong>{auth.account}</strong>
              </>
            ) : (
              'Authorized'
            )}
            <span className="muted">{scopes}</span>
          </p>
          <button type="button" className="button button--small" disabled={busy} onClick={signOut}>
            Sign out
          </button>
        </>
      )}
      {(state === 'required' || state === 'error') && (
        <>
          <p className={state === 'error' ? 'form__error mcp-sign-in__status' : 'mcp-sign-in__status'} role={state === 'error' ? 'alert' : 'status'}>
            {state === 'error' ? (auth.message ?? 'Sign-in failed.') : (auth.message ?? 'This server asks you to sign in.')}
          </p>
          <button type="button" className="button button--small button--primary" disabled={busy} onClick={signIn}>
            Sign in
          </button>
        </>
      )}
      {state === 'authorizing' && (
        <>
          <p className="mcp-sign-in__status" role="status">
            {desktop ? 'Continue in your browser: allow Tandem on the sign-in page.' : 'Open the sign-in page, allow Tandem there, then come back.'}
            {consentUrl && (
              <>
                {' '}
                <a href={consentUrl} target="_blank" rel="noopener noreferrer">
                  Open the sign-in page
                </a>
              </>
            )}
          </p>
          <button type="button" className="button button--small" disabled={busy} onClick={signIn}>
            Sign in again
          </button>
        </>
      )}
    </section>
  );
}
