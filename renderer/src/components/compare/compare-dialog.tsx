import { useId, useState } from 'react';
import type { CompareSetup } from '../../../../shared/ipc/chat-settings';
import { Dialog } from '../common/dialog';
import { groupOptions, useModelOptions } from './model-options';

const MIN_MODELS = 2;
const MAX_MODELS = 4;

function CompareForm({ initial, onStart, onCancel }: { initial: CompareSetup | null; onStart: (setup: CompareSetup) => void; onCancel: () => void }) {
  const options = useModelOptions();
  const known = new Set(options.map((o) => o.id));
  const [chosen, setChosen] = useState<string[]>(() => (initial?.modelIds ?? []).filter((id) => known.has(id)).slice(0, MAX_MODELS));
  const [blind, setBlind] = useState(initial?.blind ?? false);
  const countId = useId();
  const blindHintId = useId();
  const full = chosen.length >= MAX_MODELS;
  const valid = chosen.length >= MIN_MODELS && chosen.length <= MAX_MODELS;

  const toggle = (id: string, on: boolean) =>
    // Kept in the picker's order, so the columns come in the order the list shows.
    setChosen((before) => (on ? options.map((o) => o.id).filter((o) => o === id || before.includes(o)) : before.filter((o) => o !== id)));

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) onStart({ modelIds: chosen, blind });
      }}
    >
      <div className="dialog__body form">
        <p className="field__hint">One prompt goes to every model; the answers stream side by side with their speed and cost.</p>
        {options.length === 0 ? (
          <p>No models can answer yet: add a GGUF file or a provider first.</p>
        ) : (
          <fieldset className="compare-setup__models" aria-describedby={countId}>
            <legend className="field__label">Models</legend>
            {groupOptions(options).map(([group, list]) => (
              <div key={group} className="compare-setup__group" role="group" aria-label={group}>
                {!(list.length === 1 && list[0]?.label === group) && (
                  <span className="compare-setup__group-name" aria-hidden="true">
                    {group}
                  </span>
                )}
                {list.map((option) => {
                  const checked = chosen.includes(option.id);
                  return (
                    <label key={option.id} className="checkbox compare-setup__model">
                      <input type="checkbox" checked={checked} disabled={!checked && full} onChange={(event) => toggle(option.id, event.target.checked)} />
                      <span>{option.label}</span>
                    </label>
                  );
                })}
              </div>
            ))}
            <p id={countId} className="field__hint" aria-live="polite">
              {chosen.length} of 2–4 chosen{full ? ' (the most a compare takes)' : ''}
            </p>
          </fieldset>
        )}
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={blind} aria-describedby={blindHintId} onChange={(event) => setBlind(event.target.checked)} />
            <span className="field__label">Blind mode</span>
          </label>
          <span id={blindHintId} className="field__hint">
            The columns are labelled A, B, C… in a shuffled order; the models are named after you vote.
          </span>
        </div>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={!valid}>
          Start comparing
        </button>
      </div>
    </form>
  );
}

/** "Compare models": choose 2–4 models (and blind mode) for the chat's next messages. */
export function CompareDialog({ open, initial, onStart, onClose }: { open: boolean; initial: CompareSetup | null; onStart: (setup: CompareSetup) => void; onClose: () => void }) {
  return (
    <Dialog open={open} title="Compare models" onClose={onClose} className="dialog--wide">
      <CompareForm initial={initial} onStart={onStart} onCancel={onClose} />
    </Dialog>
  );
}
