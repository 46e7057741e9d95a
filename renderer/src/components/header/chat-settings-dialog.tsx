import { useId, useState } from 'react';
import type { ChatSettings } from '../../../../shared/ipc/chat-settings';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../common/dialog';
import { StrategyFields } from '../chat/strategy-settings';
import { strategyDraftFrom, strategyFromDraft } from '../chat/strategy-draft';

type NumberKey = 'temperature' | 'topP' | 'topK' | 'minP' | 'repeatPenalty' | 'seed' | 'maxTokens';

const NUMBER_FIELDS: { key: NumberKey; label: string; min: number; max: number; step: number; integer?: boolean }[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 5, step: 0.05 },
  { key: 'topP', label: 'Top-p', min: 0, max: 1, step: 0.01 },
  { key: 'topK', label: 'Top-k', min: 0, max: 10_000, step: 1, integer: true },
  { key: 'minP', label: 'Min-p', min: 0, max: 1, step: 0.01 },
  { key: 'repeatPenalty', label: 'Repeat penalty', min: 0, max: 5, step: 0.05 },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 32 - 1, step: 1, integer: true },
  { key: 'maxTokens', label: 'Max tokens', min: 1, max: 1_000_000, step: 1, integer: true },
];

function parseNumber(text: string, field: (typeof NUMBER_FIELDS)[number]): number | undefined | null {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < field.min || value > field.max || (field.integer && !Number.isInteger(value))) return null;
  return value;
}

function ChatSettingsForm({ chatId, settings, onDone }: { chatId: string; settings: ChatSettings; onDone: () => void }) {
  const updateChatSettings = useAppStore((s) => s.updateChatSettings);
  const [numbers, setNumbers] = useState<Record<NumberKey, string>>(
    () => Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, settings[f.key] === undefined ? '' : String(settings[f.key])])) as Record<NumberKey, string>,
  );
  const [stops, setStops] = useState((settings.stopStrings ?? []).join('\n'));
  const [systemPrompt, setSystemPrompt] = useState(settings.systemPrompt ?? '');
  const [isPrivate, setIsPrivate] = useState(settings.private ?? false);
  const [strategyDraft, setStrategyDraft] = useState(() => strategyDraftFrom(settings.strategy));
  const strategy = strategyFromDraft(strategyDraft);
  const privateHintId = useId();
  const [saving, setSaving] = useState(false);
  const parsed = NUMBER_FIELDS.map((f) => [f, parseNumber(numbers[f.key], f)] as const);
  const valid = parsed.every(([, value]) => value !== null) && strategy !== null;

  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (!valid) return;
        // Settings this form does not show (attached collections, tools) stay as they are.
        const next: ChatSettings = {};
        if (settings.collectionIds) next.collectionIds = settings.collectionIds;
        if (settings.tools) next.tools = settings.tools;
        for (const [field, value] of parsed) if (typeof value === 'number') next[field.key] = value;
        const stopStrings = stops.split('\n').filter((s) => s.length > 0);
        if (stopStrings.length) next.stopStrings = stopStrings;
        if (systemPrompt.trim()) next.systemPrompt = systemPrompt;
        if (isPrivate) next.private = true;
        // What this form does not edit (context policy, collections, tools, Auto's priority) is kept as it was.
        if (settings.contextPolicy) next.contextPolicy = settings.contextPolicy;
        if (settings.priority) next.priority = settings.priority;
        if (settings.collectionIds) next.collectionIds = settings.collectionIds;
        if (settings.tools) next.tools = settings.tools;
        if (settings.compare) next.compare = settings.compare;
        if (strategy) next.strategy = strategy;
        setSaving(true);
        const saved = await updateChatSettings(chatId, next);
        setSaving(false);
        if (saved) onDone();
      }}
    >
      <div className="dialog__body form">
        <p className="field__hint">Empty fields use the model’s and the app’s defaults. Changes apply from the next answer.</p>
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={isPrivate} aria-describedby={privateHintId} onChange={(event) => setIsPrivate(event.target.checked)} />
            <span className="field__label">Private chat</span>
          </label>
          <span id={privateHintId} className="field__hint">
            Nothing in this chat ever goes to a cloud model: Auto answers with models on this computer, and a cloud model is refused.
          </span>
        </div>
        <StrategyFields draft={strategyDraft} onChange={setStrategyDraft} />
        <div className="form__grid">
          {NUMBER_FIELDS.map((field, index) => (
            <label key={field.key} className="field">
              <span className="field__label">{field.label}</span>
              <input
                className="input"
                type="number"
                min={field.min}
                max={field.max}
                step={field.step}
                placeholder="Default"
                value={numbers[field.key]}
                aria-invalid={parsed[index]?.[1] === null}
                onChange={(event) => setNumbers((before) => ({ ...before, [field.key]: event.target.value }))}
              />
            </label>
          ))}
        </div>
        <label className="field">
          <span className="field__label">Stop strings</span>
          <textarea className="input input--multiline" rows={2} value={stops} onChange={(event) => setStops(event.target.value)} />
          <span className="field__hint">One a line; the answer ends where one appears.</span>
        </label>
        <label className="field">
          <span className="field__label">System prompt</span>
          <textarea className="input input--multiline" rows={4} value={systemPrompt} onChange={(event) => setSystemPrompt(event.target.value)} />
        </label>
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

/** Sampling, stop strings and system prompt for the open chat. */
export function ChatSettingsDialog({ chatId, open, onClose }: { chatId: string; open: boolean; onClose: () => void }) {
  const settings = useAppStore((s) => s.chats.find((chat) => chat.id === chatId)?.settings);
  return (
    <Dialog open={open} title="Chat settings" onClose={onClose} className="dialog--wide">
      <ChatSettingsForm key={chatId} chatId={chatId} settings={settings ?? {}} onDone={onClose} />
    </Dialog>
  );
}
