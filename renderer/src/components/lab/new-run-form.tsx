import { useId, useMemo, useState, type FormEvent } from 'react';
import type { LabEstimate } from '../../../../shared/ipc/routes/lab';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import { formatCount } from '../../lib/format';
import { isLabRunActive } from '../../store/lab-run-view';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { Field } from '../common/field';
import { formatEstimateUsd } from './lab-format';

/** The contract's limits. */
const MAX_MODELS = 8;
const MAX_RUNS = 20;
const MAX_PARALLEL = 16;

interface ModelOption {
  id: string;
  label: string;
  disabledReason: string | null;
}

/** The models the picker lists, in its order: Auto, this computer's, then each provider's. */
export function useModelOptions(): { groups: { label: string; options: ModelOption[] }[]; kindOf: (id: string) => 'local' | 'cloud' } {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  return useMemo(() => {
    const cloud = Object.entries(cloudModels).filter(([, list]) => list.length > 0);
    const canAuto = models.some((m) => m.problem === null) || cloud.length > 0;
    const groups: { label: string; options: ModelOption[] }[] = [];
    if (canAuto) groups.push({ label: 'Auto', options: [{ id: AUTO_MODEL_ID, label: 'Auto', disabledReason: null }] });
    if (models.length > 0) {
      groups.push({
        label: 'On this computer',
        options: models.map((m) => ({ id: m.id, label: m.name, disabledReason: m.problem === null ? null : `can't be used: ${m.problem}` })),
      });
    }
    for (const [provider, list] of cloud) groups.push({ label: provider, options: list.map((m) => ({ id: m.id, label: m.id, disabledReason: null })) });
    const localIds = new Set(models.map((m) => m.id));
    return { groups, kindOf: (id: string) => (localIds.has(id) ? 'local' : 'cloud') };
  }, [models, cloudModels]);
}

function clampInt(value: string, min: number, max: number, fallback: number): number {
  const n = Math.round(Number(value));
  if (!Number.isFinite(n) || value.trim() === '') return fallback;
  return Math.min(max, Math.max(min, n));
}

/** What the confirm dialog says: calls, the estimated cost, and each model's share. */
function EstimateDetails({ estimate, kindOf }: { estimate: LabEstimate; kindOf: (id: string) => 'local' | 'cloud' }) {
  const anyLocal = estimate.perModel.some((m) => kindOf(m.modelId) === 'local');
  const unknown = estimate.unpricedModelIds ?? estimate.perModel.filter((m) => m.estimatedCostUsd === null).map((m) => m.modelId);
  return (
    <div className="lab-estimate">
      <p>
        <strong>{formatCount(estimate.calls)}</strong> {estimate.calls === 1 ? 'call' : 'calls'}, estimated cost{' '}
        <strong className="lab-estimate__total">{formatEstimateUsd(estimate.estimatedCostUsd)}</strong>
        {anyLocal && ' — local models are free'}
        {unknown.length > 0 && `; not counted: ${unknown.join(', ')} (price unknown)`}
      </p>
      <ul className="lab-estimate__models" aria-label="Estimate per model">
        {estimate.perModel.map((m) => (
          <li key={m.modelId}>
            <span className="lab-estimate__model">{m.modelId}</span>
            <span className="muted">
              {formatCount(m.calls)} {m.calls === 1 ? 'call' : 'calls'} ·{' '}
              {m.estimatedCostUsd === null ? 'price unknown' : kindOf(m.modelId) === 'local' ? `${formatEstimateUsd(m.estimatedCostUsd)} (local)` : formatEstimateUsd(m.estimatedCostUsd)}
            </span>
          </li>
        ))}
      </ul>
      <p className="muted">Cloud calls count against your budgets; local models run one at a time.</p>
    </div>
  );
}

/** Choose a task set, models, repetitions and parallelism; the estimate is confirmed before the run starts. */
export function NewRunForm() {
  const sets = useAppStore((s) => s.labSets);
  const setsStatus = useAppStore((s) => s.labSetsStatus);
  const form = useAppStore((s) => s.labForm);
  const setLabForm = useAppStore((s) => s.setLabForm);
  const estimateLabRun = useAppStore((s) => s.estimateLabRun);
  const startLabRun = useAppStore((s) => s.startLabRun);
  const running = useAppStore((s) => isLabRunActive(s.labLive));
  const { groups, kindOf } = useModelOptions();
  const [estimating, setEstimating] = useState(false);
  const [estimate, setEstimate] = useState<LabEstimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const modelsHintId = useId();
  const [runsText, setRunsText] = useState(String(form.runs));
  const [parallelText, setParallelText] = useState(String(form.parallel));

  const selected = new Set(form.modelIds);
  const full = form.modelIds.length >= MAX_MODELS;
  const toggle = (id: string, on: boolean) => {
    setError(null);
    setLabForm({ modelIds: on ? [...form.modelIds.filter((m) => m !== id), id] : form.modelIds.filter((m) => m !== id) });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setEstimating(true);
    try {
      setEstimate(await estimateLabRun());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setEstimating(false);
    }
  };

  return (
    <>
      <form className="panel lab-run-form" aria-labelledby={titleId} onSubmit={(event) => void submit(event)}>
        <h2 id={titleId} className="panel__title">
          New run
        </h2>
        {sets.length === 0 ? (
          <p className="muted">{setsStatus === 'ready' || setsStatus === 'error' ? 'Import a task set first (Task sets tab).' : 'Loading…'}</p>
        ) : (
          <>
            <div className="lab-run-form__row">
              <Field label="Task set" className="lab-run-form__set">
                <select className="input" value={form.setId ?? ''} onChange={(event) => setLabForm({ setId: event.target.value })}>
                  {sets.map((taskSet) => (
                    <option key={taskSet.id} value={taskSet.id}>
                      {taskSet.name} ({formatCount(taskSet.taskCount)} {taskSet.taskCount === 1 ? 'task' : 'tasks'})
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Runs" hint="Every task, per model" className="lab-run-form__number">
                <input
                  type="number"
                  className="input"
                  min={1}
                  max={MAX_RUNS}
                  step={1}
                  value={runsText}
                  onChange={(event) => {
                    setRunsText(event.target.value);
                    setLabForm({ runs: clampInt(event.target.value, 1, MAX_RUNS, 1) });
                  }}
                  onBlur={() => setRunsText(String(form.runs))}
                />
              </Field>
              <Field label="Parallel" hint="Calls at once (local: one)" className="lab-run-form__number">
                <input
                  type="number"
                  className="input"
                  min={1}
                  max={MAX_PARALLEL}
                  step={1}
                  value={parallelText}
                  onChange={(event) => {
                    setParallelText(event.target.value);
                    setLabForm({ parallel: clampInt(event.target.value, 1, MAX_PARALLEL, 1) });
                  }}
                  onBlur={() => setParallelText(String(form.parallel))}
                />
              </Field>
            </div>
            <fieldset className="lab-models" aria-describedby={modelsHintId}>
              <legend className="field__label">Models</legend>
              <p id={modelsHintId} className="muted lab-models__hint">
                Up to {MAX_MODELS}, local and cloud; {form.modelIds.length} chosen.
              </p>
              {groups.length === 0 && <p className="muted">No models yet: add a .gguf file or a provider.</p>}
              {groups.map((group) => (
                <div key={group.label} className="lab-models__group">
                  <span className="lab-models__group-label">{group.label}</span>
                  <div className="lab-models__options">
                    {group.options.map((option) => {
                      const checked = selected.has(option.id);
                      return (
                        <label key={option.id} className={`checkbox lab-models__option${option.disabledReason ? ' is-disabled' : ''}`} title={option.disabledReason ?? option.id}>
                          <input
                            type="checkbox"
                            checked={checked}
                            disabled={option.disabledReason !== null || (!checked && full)}
                            onChange={(event) => toggle(option.id, event.target.checked)}
                          />
                          {option.label}
                        </label>
                      );
                    })}
                  </div>
                </div>
              ))}
            </fieldset>
            <div className="lab-run-form__actions">
              {running && <span className="muted">A run is going; start another when it ends.</span>}
              <button type="submit" className="button button--primary" disabled={estimating || running || form.modelIds.length === 0 || !form.setId}>
                {estimating ? 'Estimating…' : 'Start run'}
              </button>
            </div>
            {error && (
              <p className="form__error" role="alert">
                {error}
              </p>
            )}
          </>
        )}
      </form>
      {/* Outside the form: the dialog has its own. */}
      <ConfirmDialog
        open={estimate !== null}
        title="Start this run?"
        confirmLabel="Start"
        onCancel={() => setEstimate(null)}
        onConfirm={() => {
          setEstimate(null);
          void startLabRun();
        }}
      >
        {estimate && <EstimateDetails estimate={estimate} kindOf={kindOf} />}
      </ConfirmDialog>
    </>
  );
}
