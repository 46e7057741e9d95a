import { useState } from 'react';
import type { ApiKeySummary } from '../../../../shared/ipc/routes/api';
import { formatTime } from '../../lib/format';
import type { NewApiKey } from '../../store/api-slice';
import { useAppStore } from '../../store/store-context';
import { CopyButton } from '../chat/copy-button';
import { ConfirmDialog } from '../common/confirm-dialog';
import { Dialog } from '../common/dialog';
import { Field } from '../common/field';
import { describeKeyLimits, describeToday, parseLimit } from './api-format';

/** The secret of a key just made or rotated: shown here once, never again. */
function SecretView({ made, onDone }: { made: NewApiKey; onDone: () => void }) {
  return (
    <>
      <div className="dialog__body form">
        <p>
          The secret of <strong>{made.key.name}</strong>. Copy it now: <strong>it will not be shown again</strong> (Tandem keeps only a hash of it).
        </p>
        <div className="api-secret">
          <code className="api-secret__value" aria-label="New API key">
            {made.secret}
          </code>
          <CopyButton text={made.secret} label="Copy key" />
        </div>
        <p className="muted">
          Send it as <code>Authorization: Bearer …</code> (or <code>x-api-key</code>).
        </p>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button button--primary" onClick={onDone} autoFocus>
          Done
        </button>
      </div>
    </>
  );
}

function AddKeyForm({ onMade, onCancel }: { onMade: (made: NewApiKey) => void; onCancel: () => void }) {
  const addApiKey = useAppStore((s) => s.addApiKey);
  const [name, setName] = useState('');
  const [rpm, setRpm] = useState('');
  const [tokens, setTokens] = useState('');
  const [usd, setUsd] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const requestsPerMinute = parseLimit(rpm, true);
  const dailyTokens = parseLimit(tokens, true);
  const dailyCostUsd = parseLimit(usd, false);
  const valid = name.trim() !== '' && name.trim().length <= 100 && ![requestsPerMinute, dailyTokens, dailyCostUsd].some((v) => Number.isNaN(v));

  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (!valid) return;
        setBusy(true);
        setError(null);
        try {
          onMade(await addApiKey({ name: name.trim(), requestsPerMinute, dailyTokens, dailyCostUsd }));
        } catch (failure) {
          setError((failure as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <div className="dialog__body form">
        <Field label="Name" hint="Which tool or person uses it, e.g. “editor” or “ci”.">
          <input className="input" value={name} maxLength={100} required autoFocus onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Requests per minute" hint="Blank: no limit. More are answered 429 with Retry-After.">
          <input className="input input--narrow" type="number" min={1} step={1} value={rpm} aria-invalid={Number.isNaN(requestsPerMinute)} onChange={(event) => setRpm(event.target.value)} />
        </Field>
        <Field label="Tokens per day" hint="Blank: no limit. Days are UTC days.">
          <input className="input input--narrow" type="number" min={1} step={1} value={tokens} aria-invalid={Number.isNaN(dailyTokens)} onChange={(event) => setTokens(event.target.value)} />
        </Field>
        <Field label="Dollars per day" hint="Blank: no limit. Cloud models only; local ones cost nothing.">
          <input className="input input--narrow" type="number" min={0.01} step="any" value={usd} aria-invalid={Number.isNaN(dailyCostUsd)} onChange={(event) => setUsd(event.target.value)} />
        </Field>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={!valid || busy}>
          Add key
        </button>
      </div>
    </form>
  );
}

function KeyRow({ apiKey, onRotate, onRevoke }: { apiKey: ApiKeySummary; onRotate: () => void; onRevoke: () => void }) {
  return (
    <tr>
      <th scope="row" className="model-row__name">
        {apiKey.name}
      </th>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td>{describeKeyLimits(apiKey)}</td>
      <td>{describeToday(apiKey.today)}</td>
      <td>{apiKey.lastUsedAt ? formatTime(apiKey.lastUsedAt) : 'Never'}</td>
      <td className="api-keys__actions">
        <button type="button" className="button button--small" aria-label={`Rotate ${apiKey.name}`} onClick={onRotate}>
          Rotate
        </button>
        <button type="button" className="button button--small button--danger" aria-label={`Revoke ${apiKey.name}`} onClick={onRevoke}>
          Revoke
        </button>
      </td>
    </tr>
  );
}

/** The "API keys" section: named keys with limits and today's use; add, rotate and revoke. */
export function ApiKeysPanel() {
  const keys = useAppStore((s) => s.apiKeys);
  const status = useAppStore((s) => s.apiKeysStatus);
  const error = useAppStore((s) => s.apiKeysError);
  const loadApi = useAppStore((s) => s.loadApi);
  const rotateApiKey = useAppStore((s) => s.rotateApiKey);
  const revokeApiKey = useAppStore((s) => s.revokeApiKey);
  const [adding, setAdding] = useState(false);
  const [made, setMade] = useState<NewApiKey | null>(null);
  const [rotating, setRotating] = useState<ApiKeySummary | null>(null);
  const [revoking, setRevoking] = useState<ApiKeySummary | null>(null);

  return (
    <section className="panel api-keys" aria-labelledby="api-keys-title">
      <header className="api-server__header">
        <h2 id="api-keys-title" className="panel__title">
          API keys
        </h2>
        <button type="button" className="button button--primary button--small" onClick={() => setAdding(true)}>
          Add key
        </button>
      </header>
      {status === 'error' && (
        <div className="notice notice--error" role="alert">
          <span>Could not load the keys: {error}</span>
          <button type="button" className="button button--small" onClick={() => void loadApi()}>
            Try again
          </button>
        </div>
      )}
      {status === 'ready' && keys.length === 0 && <p className="muted">No keys yet. Every API request needs one: add a key for each tool that uses Tandem.</p>}
      {keys.length > 0 && (
        <div className="table-scroll">
          <table className="table" aria-labelledby="api-keys-title">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Limits</th>
                <th scope="col">Today (UTC)</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <KeyRow key={key.id} apiKey={key} onRotate={() => setRotating(key)} onRevoke={() => setRevoking(key)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        open={adding || made !== null}
        title={made ? 'API key added' : 'Add API key'}
        onClose={() => {
          setAdding(false);
          setMade(null);
        }}
      >
        {made ? (
          <SecretView
            made={made}
            onDone={() => {
              setMade(null);
              setAdding(false);
            }}
          />
        ) : (
          <AddKeyForm onMade={setMade} onCancel={() => setAdding(false)} />
        )}
      </Dialog>
      <ConfirmDialog
        open={rotating !== null}
        title="Rotate API key"
        confirmLabel="Rotate"
        onCancel={() => setRotating(null)}
        onConfirm={async () => {
          const key = rotating;
          setRotating(null);
          if (!key) return;
          const next = await rotateApiKey(key.id);
          if (next) setMade(next);
        }}
      >
        <p>
          Make a new secret for <strong>{rotating?.name}</strong>? The current one stops working at once; tools that use it need the new one.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API key"
        confirmLabel="Revoke"
        danger
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          const key = revoking;
          setRevoking(null);
          if (key) void revokeApiKey(key.id);
        }}
      >
        <p>
          Revoke <strong>{revoking?.name}</strong>? Requests with it are refused from now on. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
