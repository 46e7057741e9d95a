import { useState, type ReactNode } from 'react';
import type { CloudModel, ProviderInfo } from '../../../../shared/ipc/routes/providers';
import { DEFAULT_PROVIDER_LIMITS } from '../../../../shared/ipc/routes/routing';
import { formatCount, formatPricePerMillion } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';

const KEY_SOURCES = { stored: 'stored key', env: 'from environment', dotenv: 'from .env', none: 'no key' } as const;

function CloudModelTable({ models, label }: { models: CloudModel[]; label: string }) {
  if (models.length === 0) return <p className="muted">No models listed.</p>;
  return (
    <div className="table-scroll">
      <table className="table table--compact" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Context</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Price per 1M in / out</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => {
            const caps = [m.capabilities.tools && 'tools', m.capabilities.vision && 'vision', m.capabilities.json && 'JSON'].filter(Boolean);
            return (
              <tr key={m.id}>
                <th scope="row">
                  {m.model}
                  {m.free && <span className="badge badge--loaded">free</span>}
                </th>
                <td>{m.contextWindow ? formatCount(m.contextWindow) : '—'}</td>
                <td>{caps.length ? caps.join(', ') : '—'}</td>
                <td>{m.pricing ? `${formatPricePerMillion(m.pricing.inputPerMillion)} / ${formatPricePerMillion(m.pricing.outputPerMillion)}` : 'unknown'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** One configured provider: where it is, its key (masked), health, and a connection test. */
/** Replaces (or forgets) the stored key; the new one is sent once and only its masked form comes back. */
function KeyForm({ name, hasStoredKey, onDone }: { name: string; hasStoredKey: boolean; onDone: () => void }) {
  const setProviderKey = useAppStore((s) => s.setProviderKey);
  const [key, setKey] = useState('');
  return (
    <form
      className="provider__key-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (key && (await setProviderKey(name, key))) onDone();
      }}
    >
      <label className="sr-only" htmlFor={`key-${name}`}>
        New API key for {name}
      </label>
      <input id={`key-${name}`} className="input" type="password" autoComplete="off" value={key} placeholder="New API key" onChange={(event) => setKey(event.target.value)} />
      <button type="submit" className="button button--small button--primary" disabled={!key}>
        Save key
      </button>
      {hasStoredKey && (
        <button type="button" className="button button--small" onClick={() => void setProviderKey(name, null).then((ok) => ok && onDone())}>
          Forget key
        </button>
      )}
      <button type="button" className="button button--small" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

/** A small number field of the provider card's settings rows. */
function SmallNumberField(props: {
  label: string;
  accessibleName: string;
  value: string;
  placeholder: string;
  min: number;
  max?: number;
  step?: number | 'any';
  onChange: (value: string) => void;
}) {
  return (
    <label className="field field--inline">
      <span className="field__label">{props.label}</span>
      <input
        className="input input--narrow"
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={props.placeholder}
        aria-label={props.accessibleName}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </label>
  );
}

/** A settings row of the provider card: its fields, a save button and "Saved" once saved. */
function SettingsRow(props: { name: string; saveLabel: string; valid: boolean; saved: boolean; onSave: () => Promise<void>; children: ReactNode }) {
  return (
    <form
      className="provider__limits"
      aria-label={props.name}
      onSubmit={(event) => {
        event.preventDefault();
        if (props.valid) void props.onSave();
      }}
    >
      {props.children}
      <button type="submit" className="button button--small" disabled={!props.valid}>
        {props.saveLabel}
      </button>
      {props.saved && (
        <span className="muted" role="status">
          Saved
        </span>
      )}
    </form>
  );
}

/**
 * How many requests Tandem sends this provider at once and per minute; more
 * wait in line ("Queued (position N)"). Empty: the preset's defaults.
 */
function LimitsForm({ provider }: { provider: ProviderInfo }) {
  const settings = useAppStore((s) => s.settings);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const defaults = DEFAULT_PROVIDER_LIMITS[provider.preset];
  const configured = settings?.routing.providerLimits[provider.name];
  const [concurrency, setConcurrency] = useState(configured ? String(configured.concurrency) : '');
  const [perMinute, setPerMinute] = useState(configured ? String(configured.requestsPerMinute) : '');
  const [saved, setSaved] = useState(false);
  if (!settings) return null;
  const whole = (text: string, max: number) => text === '' || (Number.isInteger(Number(text)) && Number(text) >= 1 && Number(text) <= max);
  const edit = (set: (value: string) => void) => (value: string) => {
    setSaved(false);
    set(value);
  };
  return (
    <SettingsRow
      name={`Request limits of ${provider.name}`}
      saveLabel="Save limits"
      valid={whole(concurrency, 1000) && whole(perMinute, 100_000)}
      saved={saved}
      onSave={async () => {
        const limits = { ...settings.routing.providerLimits };
        if (concurrency === '' && perMinute === '') delete limits[provider.name];
        else
          limits[provider.name] = {
            concurrency: concurrency === '' ? defaults.concurrency : Number(concurrency),
            requestsPerMinute: perMinute === '' ? defaults.requestsPerMinute : Number(perMinute),
          };
        setSaved(await updateSettings({ routing: { ...settings.routing, providerLimits: limits } }));
      }}
    >
      <SmallNumberField
        label="Requests at once"
        accessibleName={`Requests at once to ${provider.name}`}
        value={concurrency}
        placeholder={String(defaults.concurrency)}
        min={1}
        max={1000}
        onChange={edit(setConcurrency)}
      />
      <SmallNumberField
        label="Requests per minute"
        accessibleName={`Requests per minute to ${provider.name}`}
        value={perMinute}
        placeholder={String(defaults.requestsPerMinute)}
        min={1}
        max={100_000}
        onChange={edit(setPerMinute)}
      />
    </SettingsRow>
  );
}

/** Spending caps for this provider alone (on top of the overall ones on the Usage page); empty: no cap. */
function ProviderBudgetForm({ provider }: { provider: ProviderInfo }) {
  const settings = useAppStore((s) => s.settings);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const caps = settings?.routing.budget.perProvider[provider.name];
  const [daily, setDaily] = useState(caps?.dailyUsd != null ? String(caps.dailyUsd) : '');
  const [monthly, setMonthly] = useState(caps?.monthlyUsd != null ? String(caps.monthlyUsd) : '');
  const [saved, setSaved] = useState(false);
  if (!settings) return null;
  const dollars = (text: string) => text.trim() === '' || (Number.isFinite(Number(text)) && Number(text) >= 0);
  const edit = (set: (value: string) => void) => (value: string) => {
    setSaved(false);
    set(value);
  };
  const cap = (text: string) => (text.trim() === '' ? null : Number(text));
  return (
    <SettingsRow
      name={`Budget of ${provider.name}`}
      saveLabel="Save caps"
      valid={dollars(daily) && dollars(monthly)}
      saved={saved}
      onSave={async () => {
        const perProvider = { ...settings.routing.budget.perProvider };
        if (daily.trim() === '' && monthly.trim() === '') delete perProvider[provider.name];
        else perProvider[provider.name] = { dailyUsd: cap(daily), monthlyUsd: cap(monthly) };
        setSaved(await updateSettings({ routing: { ...settings.routing, budget: { ...settings.routing.budget, perProvider } } }));
      }}
    >
      {(['Daily cap', 'Monthly cap'] as const).map((label) => (
        <SmallNumberField
          key={label}
          label={`${label} ($)`}
          accessibleName={`${label} for ${provider.name} in dollars`}
          value={label === 'Daily cap' ? daily : monthly}
          placeholder="no cap"
          min={0}
          step="any"
          onChange={edit(label === 'Daily cap' ? setDaily : setMonthly)}
        />
      ))}
    </SettingsRow>
  );
}

export function ProviderCard({ provider }: { provider: ProviderInfo }) {
  const test = useAppStore((s) => s.connectionTests[provider.name]);
  const health = useAppStore((s) => s.health.find((h) => h.provider === provider.name));
  const testProvider = useAppStore((s) => s.testProvider);
  const removeProvider = useAppStore((s) => s.removeProvider);
  const loadProviderModels = useAppStore((s) => s.loadProviderModels);
  const cloudModels = useAppStore((s) => s.cloudModels[provider.name]);
  const [confirming, setConfirming] = useState(false);
  const [freeOnly, setFreeOnly] = useState(false);
  const [editingKey, setEditingKey] = useState(false);

  return (
    <article className="panel provider" aria-label={provider.name}>
      <header className="provider__header">
        <div>
          <h3 className="provider__name">{provider.name}</h3>
          <div className="muted">
            {provider.preset} · <code className="path">{provider.baseUrl}</code>
          </div>
          <div className="muted">
            Key: {provider.maskedKey ? <code className="path">{provider.maskedKey}</code> : null} ({KEY_SOURCES[provider.keySource]}
            {provider.apiKeyEnv ? `, ${provider.apiKeyEnv}` : ''})
            {provider.headerNames.length > 0 && ` · headers: ${provider.headerNames.join(', ')}`}
            {!editingKey && (
              <>
                {' · '}
                <button type="button" className="link-button" aria-label={`Change the API key of ${provider.name}`} onClick={() => setEditingKey(true)}>
                  Change key
                </button>
              </>
            )}
          </div>
          {editingKey && <KeyForm name={provider.name} hasStoredKey={provider.keySource === 'stored'} onDone={() => setEditingKey(false)} />}
        </div>
        <div className="provider__actions">
          <button
            type="button"
            className="button"
            aria-label={`Test connection to ${provider.name}`}
            disabled={test?.status === 'testing'}
            onClick={() => void testProvider(provider.name)}
          >
            Test connection
          </button>
          <button type="button" className="button" aria-label={`Remove ${provider.name}`} onClick={() => setConfirming(true)}>
            Remove
          </button>
        </div>
      </header>
      <LimitsForm provider={provider} />
      <ProviderBudgetForm provider={provider} />
      {health && health.requests > 0 && (
        <p className="provider__health muted">
          Last hour: {health.requests} requests · {Math.round(health.errorRate * 100)}% errors
          {health.latencyP50Ms !== null && ` · p50 ${Math.round(health.latencyP50Ms)} ms`}
          {health.latencyP95Ms !== null && ` · p95 ${Math.round(health.latencyP95Ms)} ms`}
          {health.lastError && ` · last error ${health.lastError.code}: ${health.lastError.message}`}
        </p>
      )}
      {test?.status === 'testing' && (
        <p className="muted" role="status">
          Testing…
        </p>
      )}
      {test?.status === 'error' && (
        <p className="form__error" role="alert">
          {test.code}: {test.message}
        </p>
      )}
      {test?.status === 'ok' && (
        <p className="fit fit--ok" role="status">
          Connected in {Math.round(test.latencyMs)} ms · {test.models.length} models
        </p>
      )}
      {provider.preset === 'openrouter' && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={freeOnly}
            onChange={(event) => {
              setFreeOnly(event.target.checked);
              void loadProviderModels(provider.name, { freeOnly: event.target.checked });
            }}
          />
          Free models only
        </label>
      )}
      {(test?.status === 'ok' || cloudModels) && (
        <CloudModelTable models={freeOnly || !(test?.status === 'ok') ? (cloudModels ?? []) : test.models} label={`Models of ${provider.name}`} />
      )}
      <ConfirmDialog
        open={confirming}
        title={`Remove ${provider.name}?`}
        confirmLabel="Remove"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void removeProvider(provider.name);
        }}
      >
        <p>Its stored key is forgotten. Chats that used its models keep their messages.</p>
      </ConfirmDialog>
    </article>
  );
}
