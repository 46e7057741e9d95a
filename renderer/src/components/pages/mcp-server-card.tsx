import { useState } from 'react';
import type { McpServerState, McpServerStatus } from '../../../../shared/ipc/routes/mcp';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { Dialog } from '../common/dialog';
import { McpServerForm } from './mcp-server-form';
import { McpServerDetails } from './mcp-server-details';
import { McpSignIn } from '../mcp/mcp-sign-in';

const STATE_LABEL: Record<McpServerState, string> = {
  starting: 'Starting',
  ready: 'Ready',
  error: 'Error',
  restarting: 'Restarting',
  disabled: 'Disabled',
  stopped: 'Stopped',
  'needs-confirmation': 'Waiting for your OK',
};

export function McpStateBadge({ state }: { state: McpServerState }) {
  const busy = state === 'starting' || state === 'restarting';
  return (
    <span className={`badge badge--mcp-${state}`}>
      {busy && <span className="badge__pulse" aria-hidden="true" />}
      {STATE_LABEL[state]}
    </span>
  );
}

function describeTarget(server: McpServerStatus): string {
  const { config } = server;
  if (config.transport === 'http') return config.url ?? '';
  return [config.command ?? '', ...config.args.map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg))].join(' ');
}

/** One server: its state, what it runs, why it failed, and what it offers. */
export function McpServerCard({ server }: { server: McpServerStatus }) {
  const setMcpEnabled = useAppStore((s) => s.setMcpEnabled);
  const restartMcpServer = useAppStore((s) => s.restartMcpServer);
  const confirmMcpStart = useAppStore((s) => s.confirmMcpStart);
  const removeMcpServer = useAppStore((s) => s.removeMcpServer);
  const updateMcpServer = useAppStore((s) => s.updateMcpServer);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // The switch moves at once; the server's status follows when the backend answers.
  const [switching, setSwitching] = useState<boolean | null>(null);
  const { name, config } = server;
  const envNames = Object.entries(config.env);
  const headerNames = Object.keys(config.headers);

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    void action().finally(() => setBusy(false));
  };

  return (
    <article className="panel mcp-server" aria-label={name}>
      <header className="mcp-server__header">
        <div className="mcp-server__intro">
          <h3 className="mcp-server__name">
            {name} <McpStateBadge state={server.state} />
          </h3>
          <div className="muted">
            {config.transport === 'stdio' ? 'Local process' : 'HTTP'} · <code className="path">{describeTarget(server)}</code>
          </div>
          <div className="muted">
            {server.serverInfo && `${server.serverInfo.name} ${server.serverInfo.version}`}
            {server.connectedVia && ` · via ${server.connectedVia}`}
            {server.restarts > 0 && ` · restarted ${server.restarts}×`}
            {config.cwd && <> · in <code className="path">{config.cwd}</code></>}
            {envNames.length > 0 && ` · env ${envNames.map(([key, value]) => (value.secret ? `${key} (secret)` : key)).join(', ')}`}
            {headerNames.length > 0 && ` · headers ${headerNames.join(', ')}`}
          </div>
        </div>
        <div className="mcp-server__actions">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={switching ?? config.enabled}
              disabled={busy}
              onChange={(event) => {
                const enabled = event.target.checked;
                setSwitching(enabled);
                run(() => setMcpEnabled(name, enabled).finally(() => setSwitching(null)));
              }}
            />
            <span className="switch__track" aria-hidden="true" />
            Enabled
          </label>
          <button type="button" className="button button--small" aria-label={`Restart ${name}`} disabled={busy || !config.enabled || server.state === 'needs-confirmation'} onClick={() => run(() => restartMcpServer(name))}>
            Restart
          </button>
          <button type="button" className="button button--small" aria-label={`Edit ${name}`} onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="button button--small" aria-label={`Remove ${name}`} onClick={() => setConfirming(true)}>
            Remove
          </button>
        </div>
      </header>
      {server.state === 'needs-confirmation' && (
        <div className="mcp-server__confirm" role="group" aria-label={`Allow ${name} to run?`}>
          <p>
            This server was added from an imported file or by another program, and runs this command on your computer:{' '}
            <code className="path">{describeTarget(server)}</code>. It has not run yet. Allow it only if you trust it.
          </p>
          <button type="button" className="button button--small button--primary" disabled={busy} onClick={() => run(() => confirmMcpStart(name))}>
            Allow this server to run
          </button>
        </div>
      )}
      {server.preflight && (
        <p className="mcp-server__preflight" role="note">
          {server.preflight}
        </p>
      )}
      {server.error && server.error.message !== server.preflight && server.auth?.state !== 'required' && (
        <p className="form__error mcp-server__error">
          <code className="message__error-code">{server.error.code}</code> {server.error.message}
        </p>
      )}
      <McpSignIn server={server} />
      <McpServerDetails server={server} />
      <Dialog open={editing} title={`Edit ${name}`} onClose={() => setEditing(false)} className="dialog--wide">
        <McpServerForm
          initial={config}
          submitLabel="Save and restart"
          onCancel={() => setEditing(false)}
          onSubmit={async (input) => {
            const failure = await updateMcpServer(input);
            if (!failure) setEditing(false);
            return failure;
          }}
        />
      </Dialog>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${name}?`}
        confirmLabel="Remove"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void removeMcpServer(name);
        }}
      >
        <p>The server is stopped and its settings (and stored secrets) are forgotten. Chats keep the tool results they already have.</p>
      </ConfirmDialog>
    </article>
  );
}
