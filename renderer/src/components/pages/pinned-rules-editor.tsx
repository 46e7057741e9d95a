import { useId, useMemo, useState } from 'react';
import type { PinnedRule, PinnedRuleCondition } from '../../../../shared/ipc/routes/routing';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';

type ConditionType = PinnedRuleCondition['type'];
type Target = PinnedRule['then'];

const CONDITIONS: { type: ConditionType; label: string }[] = [
  { type: 'prompt-looks-like-code', label: 'Prompt looks like code' },
  { type: 'tokens-over', label: 'Prompt is over N tokens' },
  { type: 'collection-attached', label: 'A collection is attached' },
  { type: 'prompt-matches', label: 'Prompt matches a pattern' },
];

export function describeCondition(when: PinnedRuleCondition): string {
  switch (when.type) {
    case 'prompt-looks-like-code':
      return 'the prompt looks like code';
    case 'tokens-over':
      return `the prompt is over ${when.tokens} tokens`;
    case 'collection-attached':
      return `collection ${when.collectionId} is attached`;
    case 'prompt-matches':
      return `the prompt matches /${when.pattern}/i`;
  }
}

export function describeTarget(then: Target): string {
  if (then.type === 'local') return 'the best local model';
  if (then.type === 'cloud') return 'the best cloud model';
  return then.modelId;
}

function newRuleId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `rule-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'i');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : 'Not a regular expression';
  }
}

/** Condition type, its parameter and a target; adds a rule at the end of the list. */
function AddRuleForm({ onAdd }: { onAdd: (rule: PinnedRule) => Promise<boolean> }) {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  const collections = useAppStore((s) => s.collections);
  const [type, setType] = useState<ConditionType>('prompt-looks-like-code');
  const [param, setParam] = useState('');
  const [target, setTarget] = useState('local');
  const listId = useId();
  const cloudIds = useMemo(() => Object.values(cloudModels).flatMap((list) => list.map((m) => m.id)), [cloudModels]);

  let when: PinnedRuleCondition | null = null;
  let problem: string | null = null;
  const value = param.trim();
  if (type === 'prompt-looks-like-code') when = { type };
  else if (type === 'tokens-over') {
    const tokens = Number(value);
    if (value && Number.isInteger(tokens) && tokens >= 1) when = { type, tokens };
    else if (value) problem = 'A whole number of tokens, 1 or more.';
  } else if (type === 'collection-attached') {
    if (value) when = { type, collectionId: value };
  } else if (value) {
    problem = regexProblem(value);
    if (!problem) when = { type, pattern: value };
  }
  const then: Target = target === 'local' || target === 'cloud' ? { type: target } : { type: 'model', modelId: target.slice('model:'.length) };

  return (
    <form
      aria-label="Add a pinned rule"
      className="rule-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!when) return;
        // Cleared at once, so typing the next rule never races this save; given back if it failed.
        const typed = param;
        setParam('');
        if (!(await onAdd({ id: newRuleId(), enabled: true, when, then }))) setParam(typed);
      }}
    >
      <Field label="When">
        <select className="input" value={type} onChange={(event) => setType(event.target.value as ConditionType)}>
          {CONDITIONS.map((c) => (
            <option key={c.type} value={c.type}>
              {c.label}
            </option>
          ))}
        </select>
      </Field>
      {type === 'tokens-over' && (
        <Field label="Tokens" hint={problem ?? undefined}>
          <input className="input" type="number" min={1} step={1} value={param} aria-invalid={problem !== null} onChange={(event) => setParam(event.target.value)} />
        </Field>
      )}
      {type === 'collection-attached' && (
        <Field label="Collection ID">
          <input className="input" list={listId} value={param} onChange={(event) => setParam(event.target.value)} />
        </Field>
      )}
      {type === 'prompt-matches' && (
        <Field label="Pattern (regular expression)" hint={problem ?? 'Case-insensitive.'}>
          <input className="input input--mono" value={param} aria-invalid={problem !== null} onChange={(event) => setParam(event.target.value)} />
        </Field>
      )}
      <datalist id={listId}>
        {collections.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </datalist>
      <Field label="Send to">
        <select className="input" value={target} onChange={(event) => setTarget(event.target.value)}>
          <option value="local">Best local model</option>
          <option value="cloud">Best cloud model</option>
          <optgroup label="On this computer">
            {models
              .filter((m) => m.problem === null)
              .map((m) => (
                <option key={m.id} value={`model:${m.id}`}>
                  {m.name}
                </option>
              ))}
          </optgroup>
          {cloudIds.length > 0 && (
            <optgroup label="Cloud">
              {cloudIds.map((id) => (
                <option key={id} value={`model:${id}`}>
                  {id}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </Field>
      <button type="submit" className="button" disabled={!when}>
        Add rule
      </button>
    </form>
  );
}

/** Pinned rules: checked in order after Auto's hard rules; the first that matches decides. */
export function PinnedRulesEditor() {
  const rules = useAppStore((s) => s.settings?.routing.pinnedRules);
  const savePinnedRules = useAppStore((s) => s.savePinnedRules);
  if (!rules) return null;

  const save = (next: PinnedRule[]) => savePinnedRules(next);
  const move = (index: number, by: -1 | 1) => {
    const next = rules.slice();
    const [rule] = next.splice(index, 1);
    if (!rule) return;
    next.splice(index + by, 0, rule);
    void save(next);
  };

  return (
    <section className="panel" aria-labelledby="rules-title">
      <h2 id="rules-title" className="panel__title">
        Pinned rules
      </h2>
      <p className="muted rules__intro">Checked in order before Auto ranks the models; the first rule that matches picks the model.</p>
      {rules.length === 0 ? (
        <p className="muted">No pinned rules.</p>
      ) : (
        <ol className="rules" aria-label="Pinned rules">
          {rules.map((rule, index) => {
            const text = `When ${describeCondition(rule.when)} → ${describeTarget(rule.then)}`;
            return (
              <li key={rule.id} className={`rule${rule.enabled ? '' : ' rule--disabled'}`}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={rule.enabled}
                    aria-label={`Enable rule ${index + 1}`}
                    onChange={(event) => void save(rules.map((r) => (r.id === rule.id ? { ...r, enabled: event.target.checked } : r)))}
                  />
                </label>
                <span className="rule__text">{text}</span>
                <div className="rule__actions">
                  <button type="button" className="button button--small" aria-label={`Move rule ${index + 1} up`} disabled={index === 0} onClick={() => move(index, -1)}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Move rule ${index + 1} down`}
                    disabled={index === rules.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    ↓
                  </button>
                  <button type="button" className="button button--small" aria-label={`Delete rule ${index + 1}`} onClick={() => void save(rules.filter((r) => r.id !== rule.id))}>
                    Delete
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <AddRuleForm onAdd={(rule) => save([...rules, rule])} />
    </section>
  );
}
