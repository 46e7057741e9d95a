import { useId } from 'react';
import { Field } from '../common/field';
import { groupOptions, useModelOptions, type ModelOption } from '../compare/model-options';
import { MAX_BEST_OF_N_MODELS, STRATEGY_KINDS, strategyFromDraft, type StrategyDraft } from './strategy-draft';

/** Sensible first picks when a strategy is chosen: local models for the local steps, a cloud model (or Auto) for the others. */
function withDefaults(draft: StrategyDraft, options: readonly ModelOption[]): StrategyDraft {
  const local = options.find((o) => o.group === 'On this computer')?.id ?? '';
  const cloud = options.find((o) => o.group !== 'On this computer' && o.group !== 'Auto')?.id ?? options[0]?.id ?? '';
  return {
    ...draft,
    draftModelId: draft.draftModelId || local,
    refineModelId: draft.refineModelId || cloud,
    condenseModelId: draft.condenseModelId || local,
    answerModelId: draft.answerModelId || cloud,
    judgeModelId: draft.judgeModelId || local,
  };
}

interface ModelSelectProps {
  value: string;
  options: readonly ModelOption[];
  onChange: (id: string) => void;
  /** Set by Field. */
  id?: string;
  'aria-describedby'?: string;
}

function ModelSelect({ value, options, onChange, id, 'aria-describedby': describedBy }: ModelSelectProps) {
  const missing = value !== '' && !options.some((o) => o.id === value);
  return (
    <select id={id} aria-describedby={describedBy} className="input" value={value} aria-invalid={value === ''} onChange={(event) => onChange(event.target.value)}>
      {value === '' && (
        <option value="" disabled>
          Choose a model
        </option>
      )}
      {missing && <option value={value}>{value} (not available now)</option>}
      {groupOptions(options).map(([group, list]) => (
        <optgroup key={group} label={group}>
          {list.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

/** Chat settings → Strategy: one model, or a pipeline with its own model per step. */
export function StrategyFields({ draft, onChange }: { draft: StrategyDraft; onChange: (next: StrategyDraft) => void }) {
  const options = useModelOptions();
  const modelsHintId = useId();
  const kind = STRATEGY_KINDS.find((k) => k.value === draft.kind) ?? STRATEGY_KINDS[0]!;
  const set = (change: Partial<StrategyDraft>) => onChange({ ...draft, ...change });
  // The multi-model select lists the models already chosen even when they are no longer offered.
  const bestOfNOptions = [...options.filter((o) => o.id !== 'auto'), ...draft.modelIds.filter((id) => !options.some((o) => o.id === id)).map((id) => ({ id, label: `${id} (not available now)`, group: 'Other' }))];
  const full = draft.modelIds.length >= MAX_BEST_OF_N_MODELS;

  return (
    <div className="strategy">
      <Field label="Strategy" hint={kind.hint}>
        <select className="input" value={draft.kind} onChange={(event) => onChange(withDefaults({ ...draft, kind: event.target.value as StrategyDraft['kind'] }, options))}>
          {STRATEGY_KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </Field>
      {draft.kind === 'draft-refine' && (
        <div className="form__grid">
          <Field label="Draft model">
            <ModelSelect value={draft.draftModelId} options={options} onChange={(id) => set({ draftModelId: id })} />
          </Field>
          <Field label="Refine model">
            <ModelSelect value={draft.refineModelId} options={options} onChange={(id) => set({ refineModelId: id })} />
          </Field>
        </div>
      )}
      {draft.kind === 'condense' && (
        <div className="form__grid">
          <Field label="Condense model">
            <ModelSelect value={draft.condenseModelId} options={options} onChange={(id) => set({ condenseModelId: id })} />
          </Field>
          <Field label="Answer model">
            <ModelSelect value={draft.answerModelId} options={options} onChange={(id) => set({ answerModelId: id })} />
          </Field>
        </div>
      )}
      {draft.kind === 'best-of-n' && (
        <>
          <fieldset className="strategy__models" aria-describedby={modelsHintId} aria-invalid={draft.modelIds.length === 0}>
            <legend className="field__label">Models</legend>
            <div className="strategy__model-list">
              {bestOfNOptions.map((o) => {
                const checked = draft.modelIds.includes(o.id);
                return (
                  <label key={o.id} className="checkbox">
                    <input
                      type="checkbox"
                      checked={checked}
                      disabled={!checked && full}
                      onChange={(event) => set({ modelIds: event.target.checked ? [...draft.modelIds, o.id] : draft.modelIds.filter((id) => id !== o.id) })}
                    />
                    <span>{o.label}</span>
                  </label>
                );
              })}
            </div>
            <span id={modelsHintId} className="field__hint">
              One to four models answer; each {draft.samples && draft.samples !== '1' ? `${draft.samples} times` : 'as many times as Samples says'}.
            </span>
          </fieldset>
          <div className="form__grid">
            <Field label="Samples" hint="Answers per model (1–4; empty: 1).">
              <input
                className="input"
                type="number"
                min={1}
                max={4}
                step={1}
                placeholder="1"
                value={draft.samples}
                aria-invalid={strategyFromDraft({ ...draft, modelIds: ['x'], judgeModelId: 'x' }) === null}
                onChange={(event) => set({ samples: event.target.value })}
              />
            </Field>
            <Field label="Judge model" hint="Scores every answer; a local model keeps the answers on this computer.">
              <ModelSelect value={draft.judgeModelId} options={options} onChange={(id) => set({ judgeModelId: id })} />
            </Field>
          </div>
          <Field label="Rubric" hint="What the judge looks for (empty: correct, complete, clear).">
            <textarea className="input input--multiline" rows={3} maxLength={4000} value={draft.rubric} onChange={(event) => set({ rubric: event.target.value })} />
          </Field>
        </>
      )}
    </div>
  );
}
