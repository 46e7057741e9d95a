import { useState } from 'react';
import type { PresetId } from '../../../../shared/ipc/routes/providers';
import { useAppStore } from '../../store/store-context';

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** Parses "Name: value" lines into headers; null when a line is not of that form. */
function parseHeaders(text: string): Record<string, string> | null {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Adds a provider from a preset; the key goes to the backend once and is never shown again. */
export function AddProviderForm() {
  const presets = useAppStore((s) => s.presets);
  const addProvider = useAppStore((s) => s.addProvider);
  const [preset, setPreset] = useState<PresetId>('custom');
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [headersText, setHeadersText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const chosen = presets.find((p) => p.id === preset);
  const headers = parseHeaders(headersText);
  const nameValid = NAME_PATTERN.test(name);
  const needsUrl = preset === 'custom';

  return (
    <form
      className="panel form"
      aria-labelledby="add-provider-title"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!nameValid || !headers || (needsUrl && !baseUrl.trim())) return;
        setSaving(true);
        const problem = await addProvider({
          name,
          preset,
          ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
          ...(apiKey ? { apiKey } : {}),
          ...(Object.keys(headers).length ? { headers } : {}),
        });
        setSaving(false);
        setError(problem);
        if (!problem) {
          setName('');
          setBaseUrl('');
          setApiKey('');
          setHeadersText('');
        }
      }}
    >
      <h2 id="add-provider-title" className="panel__title">
        Add provider
      </h2>
      <div className="form__grid">
        <label className="field">
          <span className="field__label">Preset</span>
          <select
            className="input"
            value={preset}
            onChange={(event) => {
              const next = event.target.value as PresetId;
              setPreset(next);
              if (!name || presets.some((p) => p.id === name)) setName(next === 'custom' ? '' : next);
            }}
          >
            {presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Name</span>
          <input
            className="input"
            value={name}
            required
            aria-invalid={name !== '' && !nameValid}
            placeholder="e.g. openai"
            onChange={(event) => setName(event.target.value.toLowerCase())}
          />
          <span className="field__hint">Lowercase letters, digits, _ and -; models are named NAME/MODEL.</span>
        </label>
        <label className="field">
          <span className="field__label">Base URL</span>
          <input
            className="input"
            type="url"
            value={baseUrl}
            required={needsUrl}
            placeholder={chosen?.baseUrl || 'https://…/v1'}
            onChange={(event) => setBaseUrl(event.target.value)}
          />
          {!needsUrl && <span className="field__hint">Leave empty to use the preset’s.</span>}
        </label>
        <label className="field">
          <span className="field__label">API key</span>
          <input
            className="input"
            type="password"
            autoComplete="off"
            value={apiKey}
            placeholder={chosen?.keyRequired === false ? 'Optional' : chosen?.apiKeyEnv ? `or set ${chosen.apiKeyEnv}` : ''}
            onChange={(event) => setApiKey(event.target.value)}
          />
          <span className="field__hint">Stored encrypted; only a masked form is shown afterwards.</span>
        </label>
        <label className="field form__wide">
          <span className="field__label">Extra headers (optional)</span>
          <textarea
            className="input input--multiline"
            rows={2}
            value={headersText}
            aria-invalid={headers === null}
            placeholder="HTTP-Referer: https://example.com"
            onChange={(event) => setHeadersText(event.target.value)}
          />
          <span className="field__hint">One “Name: value” a line.</span>
        </label>
      </div>
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={saving || !nameValid || headers === null}>
          Add provider
        </button>
      </div>
    </form>
  );
}
