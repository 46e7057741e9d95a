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
  const [maxTokens, setMaxTokens] = useState(String(settings.maxTokens));
  const [saving, setSaving] = useState(false);
  const parsed = Number(maxTokens);
  const valid = Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_TOKENS_LIMIT;

  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (!valid) return;
        setSaving(true);
        const saved = await updateSettings({ maxTokens: parsed });
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
