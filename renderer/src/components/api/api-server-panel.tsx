import { useState } from 'react';
import type { ApiSettings } from '../../../../shared/ipc/routes/api';
import { useAppStore } from '../../store/store-context';
import { CopyButton } from '../chat/copy-button';
import { Field } from '../common/field';
import { isOrigin } from './api-format';

const LOOPBACK = '127.0.0.1';

function isLoopback(host: string): boolean {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Running, stopped or failed, with the URLs to copy. */
function ServerStatus({ enabled }: { enabled: boolean }) {
  const status = useAppStore((s) => s.apiStatus);
  if (status?.running && status.url) {
    return (
      <div className="api-status" role="status" aria-label="API server status">
        <p className="api-status__line">
          <span className="api-status__dot api-status__dot--on" aria-hidden="true" />
          Running at <code className="path">{status.url}</code>
          <CopyButton text={status.url} label="Copy API URL" />
        </p>
        {status.mcpUrl && (
          <p className="api-status__line">
            <span className="api-status__dot" aria-hidden="true" />
            MCP (streamable HTTP) at <code className="path">{status.mcpUrl}</code>
            <CopyButton text={status.mcpUrl} label="Copy MCP URL" />
          </p>
        )}
        <p className="muted">OpenAI- and Anthropic-compatible: point a client's base URL here and use one of the keys below.</p>
      </div>
    );
  }
  return (
    <div className="api-status" role="status" aria-label="API server status">
      {status?.error ? (
        <p className="notice notice--error">{status.error}</p>
      ) : (
        <p className="api-status__line">
          <span className="api-status__dot api-status__dot--off" aria-hidden="true" />
          {enabled ? 'Starting…' : 'Stopped'}
        </p>
      )}
    </div>
  );
}

function ServerForm({ api }: { api: ApiSettings }) {
  const updateSettings = useAppStore((s) => s.updateSettings);
  const [port, setPort] = useState(String(api.port));
  const [allowRemote, setAllowRemote] = useState(api.allowRemote);
  const [host, setHost] = useState(api.host);
  const [cors, setCors] = useState(api.corsOrigins.join('\n'));
  const [saving, setSaving] = useState(false);

  const portNumber = Number(port);
  const portValid = Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65_535;
  const origins = cors
    .split(/[\s,]+/)
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const badOrigin = origins.find((o) => !isOrigin(o)) ?? null;
  const effectiveHost = allowRemote ? host.trim() : LOOPBACK;
  const hostValid = effectiveHost !== '' && effectiveHost.length <= 255 && !/\s/.test(effectiveHost);
  const valid = portValid && badOrigin === null && hostValid;
  const dirty =
    portNumber !== api.port || allowRemote !== api.allowRemote || effectiveHost !== api.host || origins.join('\n') !== api.corsOrigins.join('\n');

  return (
    <form
      className="form api-server__form"
      aria-label="API server settings"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!valid) return;
        setSaving(true);
        await updateSettings({ api: { ...api, port: portNumber, allowRemote, host: effectiveHost, corsOrigins: origins.map((o) => o.replace(/\/$/, '')) } });
        setSaving(false);
      }}
    >
      <Field label="Port" hint={`Default ${7411}. The server restarts on the new port when it runs.`}>
        <input
          className="input input--narrow"
          type="number"
          inputMode="numeric"
          min={1}
          max={65_535}
          step={1}
          required
          value={port}
          aria-invalid={!portValid}
          onChange={(event) => {
            setPort(event.target.value);
          }}
        />
      </Field>
      <div className="field">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={allowRemote}
            onChange={(event) => {
              setAllowRemote(event.target.checked);
              if (event.target.checked && isLoopback(host)) setHost('0.0.0.0');
            }}
          />
          Allow remote connections
        </label>
        {allowRemote ? (
          <p className="notice notice--warning" role="note">
            Other machines that can reach this one can call the API: anyone with a key can use your models, documents and cloud providers (and
            spend on them). Traffic is not encrypted. Prefer loopback and an SSH tunnel.
          </p>
        ) : (
          <span className="field__hint">Off: only programs on this computer can connect ({LOOPBACK}).</span>
        )}
      </div>
      {allowRemote && (
        <Field label="Listen on (host)" hint="0.0.0.0 is every network interface; or one of this machine's addresses.">
          <input
            className="input input--narrow"
            value={host}
            aria-invalid={!hostValid}
            onChange={(event) => {
              setHost(event.target.value);
            }}
          />
        </Field>
      )}
      <Field label="CORS origins" hint={badOrigin ? `"${badOrigin}" is not an origin such as http://localhost:3000.` : 'One per line. Browser pages on these origins may call the API; empty: none may.'}>
        <textarea
          className="input"
          rows={3}
          placeholder="http://localhost:3000"
          value={cors}
          aria-invalid={badOrigin !== null}
          onChange={(event) => {
            setCors(event.target.value);
          }}
        />
      </Field>
      <div className="form__actions form__actions--start">
        <button type="submit" className="button button--primary" disabled={!valid || !dirty || saving}>
          Save server settings
        </button>
      </div>
    </form>
  );
}

/** The "API server" section: the on/off switch, where it runs, and its port, remote access and CORS origins. */
export function ApiServerPanel() {
  const settings = useAppStore((s) => s.settings);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const [switching, setSwitching] = useState<boolean | null>(null);
  if (!settings) return <div className="loading" role="status" aria-label="Loading settings" />;
  const { api } = settings;
  return (
    <section className="panel api-server" aria-labelledby="api-server-title">
      <header className="api-server__header">
        <h2 id="api-server-title" className="panel__title">
          API server
        </h2>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={switching ?? api.enabled}
            disabled={switching !== null}
            onChange={(event) => {
              const enabled = event.target.checked;
              setSwitching(enabled);
              void updateSettings({ api: { ...api, enabled } }).finally(() => setSwitching(null));
            }}
          />
          <span className="switch__track" aria-hidden="true" />
          Enable API server
        </label>
      </header>
      <p className="muted">
        Lets other tools (IDEs, agents, scripts, Claude Desktop) use Tandem&apos;s models, the Auto router and your documents through OpenAI&apos;s and
        Anthropic&apos;s APIs and MCP. Budgets, privacy rules and the response cache apply as in chats.
      </p>
      <ServerStatus enabled={api.enabled} />
      {/* Saved elsewhere (another window, the CLI): the form starts again from what is in effect. */}
      <ServerForm key={JSON.stringify([api.port, api.host, api.allowRemote, api.corsOrigins])} api={api} />
    </section>
  );
}
