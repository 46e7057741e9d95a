import { useState } from 'react';
import type { BudgetSettings } from '../../../../shared/ipc/routes/routing';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';

interface Draft {
  dailyUsd: string;
  monthlyUsd: string;
  perChatTokens: string;
  alertPercent: string;
}

const toText = (value: number | null) => (value === null ? '' : String(value));

/** Empty → null (no cap); a bad number → undefined. */
function parseCap(text: string, integer: boolean, min: number): number | null | undefined {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) return undefined;
  return value;
}

function BudgetFields({ budget }: { budget: BudgetSettings }) {
  const saveBudget = useAppStore((s) => s.saveBudget);
  const [draft, setDraft] = useState<Draft>({
    dailyUsd: toText(budget.dailyUsd),
    monthlyUsd: toText(budget.monthlyUsd),
    perChatTokens: toText(budget.perChatTokens),
    alertPercent: String(Math.round(budget.alertAt * 100)),
  });
  const [state, setState] = useState<'idle' | 'saving' | 'saved'>('idle');
  const daily = parseCap(draft.dailyUsd, false, 0);
  const monthly = parseCap(draft.monthlyUsd, false, 0);
  const perChat = parseCap(draft.perChatTokens, true, 1);
  const alert = parseCap(draft.alertPercent, false, 0);
  const alertValid = alert !== undefined && alert !== null && alert <= 100;
  const valid = daily !== undefined && monthly !== undefined && perChat !== undefined && alertValid;

  const edit = (key: keyof Draft) => (event: { target: { value: string } }) => {
    setState('idle');
    setDraft((before) => ({ ...before, [key]: event.target.value }));
  };

  return (
    <form
      aria-label="Budget"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!valid) return;
        setState('saving');
        const saved = await saveBudget({ ...budget, dailyUsd: daily, monthlyUsd: monthly, perChatTokens: perChat, alertAt: (alert ?? 80) / 100 });
        setState(saved ? 'saved' : 'idle');
      }}
    >
      <div className="form__grid">
        <Field label="Daily cap ($)" hint="Empty: no cap.">
          <input className="input" type="number" min={0} step="any" inputMode="decimal" value={draft.dailyUsd} aria-invalid={daily === undefined} onChange={edit('dailyUsd')} />
        </Field>
        <Field label="Monthly cap ($)" hint="Empty: no cap.">
          <input className="input" type="number" min={0} step="any" inputMode="decimal" value={draft.monthlyUsd} aria-invalid={monthly === undefined} onChange={edit('monthlyUsd')} />
        </Field>
        <Field label="Tokens per chat" hint="Paid tokens (in + out) one chat may use. Empty: no cap.">
          <input className="input" type="number" min={1} step={1} value={draft.perChatTokens} aria-invalid={perChat === undefined} onChange={edit('perChatTokens')} />
        </Field>
        <Field label="Alert at (%)" hint="Warn when spend reaches this share of a cap.">
          <input className="input" type="number" min={0} max={100} step={1} value={draft.alertPercent} aria-invalid={!alertValid} onChange={edit('alertPercent')} />
        </Field>
      </div>
      <div className="form__actions form__actions--start">
        {state === 'saved' && (
          <span className="muted" role="status">
            Budget saved.
          </span>
        )}
        <button type="submit" className="button button--primary" disabled={!valid || state === 'saving'}>
          Save budget
        </button>
      </div>
    </form>
  );
}

/** Spending caps: a request that could break one never reaches a paid model. */
export function BudgetForm() {
  const budget = useAppStore((s) => s.settings?.routing.budget);
  return (
    <section className="panel" aria-labelledby="budget-title">
      <h2 id="budget-title" className="panel__title">
        Budget
      </h2>
      {budget ? <BudgetFields budget={budget} /> : <p className="muted">Loading…</p>}
    </section>
  );
}
