import { useState } from 'react';
import type { Settings } from '../../../../shared/ipc/domain';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../common/dialog';

const MAX_TOKENS_LIMIT = 1_000_000;

interface SettingsFormProps {
  settings: Settings;
  onDone: () => void;
}

function SettingsForm({ settings, onDone }: SettingsFormProps) {
  const updateSettings = useAppStore((s) => s.updateSettings);
  const dataDir = useAppStore((s) => s.appInfo?.dataDir ?? null);
  const clearCache = useAppStore((s) => s.clearCache);
  const showPage = useAppStore((s) => s.showPage);
  const apiEnabled = settings.api.enabled;
  const [maxTokens, setMaxTokens] = useState(String(settings.maxTokens));
  const [cacheEnabled, setCacheEnabled] = useState(settings.routing.cache.enabled);
  const [cacheTtlDays, setCacheTtlDays] = useState(String(settings.routing.cache.ttlDays));
  const [cacheHighTemperature, setCacheHighTemperature] = useState(settings.routing.cache.cacheHighTemperature);
  const [cleared, setCleared] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const parsed = Number(maxTokens);
  const ttl = Number(cacheTtlDays);
  const valid = Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_TOKENS_LIMIT && cacheTtlDays.trim() !== '' && ttl >= 0 && ttl <= 3650;

  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (!valid) return;
        setSaving(true);
        const saved = await updateSettings({
          maxTokens: parsed,
          routing: { ...settings.routing, cache: { ...settings.routing.cache, enabled: cacheEnabled, ttlDays: ttl, cacheHighTemperature } },
        });
        setSaving(false);
        if (saved) onDone();
      }}
    >
      <div className="dialog__body form">
        <label className="field">
          <span className="field__label">Max tokens per answer</span>
          <input
            className="input"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_TOKENS_LIMIT}
            step={1}
            required
            value={maxTokens}
            aria-invalid={!valid}
            onChange={(event) => setMaxTokens(event.target.value)}
          />
          <span className="field__hint">An answer stops after this many tokens.</span>
        </label>
        <fieldset className="field">
          <legend className="field__label">Response cache</legend>
          <label className="checkbox">
            <input type="checkbox" checked={cacheEnabled} onChange={(event) => setCacheEnabled(event.target.checked)} />
            Answer identical requests from the cache (costs nothing)
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={cacheHighTemperature} onChange={(event) => setCacheHighTemperature(event.target.checked)} />
            Also cache answers sampled above temperature 0.7
          </label>
          <label className="field">
            <span className="field__label">Keep cached answers for (days; 0: no limit)</span>
            <input className="input" type="number" min={0} max={3650} step={1} value={cacheTtlDays} onChange={(event) => setCacheTtlDays(event.target.value)} />
          </label>
          <div className="form__actions form__actions--start">
            <button type="button" className="button" onClick={async () => setCleared(await clearCache())}>
              Clear cache
            </button>
            {cleared !== null && (
              <span className="muted" role="status">
                Removed {cleared} cached {cleared === 1 ? 'answer' : 'answers'}.
              </span>
            )}
          </div>
        </fieldset>
        <div className="field">
          <span className="field__label">API server</span>
          <div className="form__actions form__actions--start">
            <span className="muted">{apiEnabled ? 'On: other tools can use Tandem through its API and MCP.' : 'Off.'}</span>
            <button
              type="button"
              className="button button--small"
              onClick={() => {
                showPage('api');
                onDone();
              }}
            >
              API server settings…
            </button>
          </div>
        </div>
        {dataDir && (
          <div className="field">
            <span className="field__label">Data folder</span>
            <code className="path">{dataDir}</code>
            <span className="field__hint">Chats and settings live here; models are also read from its models folder.</span>
          </div>
        )}
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={!valid || saving}>
          Save
        </button>
      </div>
    </form>
  );
}

export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const settings = useAppStore((s) => s.settings);
  return (
    <Dialog open={open} title="Settings" onClose={onClose}>
      {settings ? <SettingsForm settings={settings} onDone={onClose} /> : <p className="dialog__body">Loading settings…</p>}
    </Dialog>
  );
}
