import { useId, useMemo, useState, type ReactNode } from 'react';
import {
  elicitationFields,
  elicitationProblems,
  type ElicitationContent,
  type ElicitationField,
} from '../../../../shared/ipc/elicitation-form';
import type { ElicitationRequest } from '../../../../shared/ipc/routes/mcp';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../common/dialog';

type Action = 'accept' | 'decline' | 'cancel';
/** What each control holds while the user types: text for strings and numbers, a flag, the chosen options. */
type Draft = Record<string, string | boolean | string[]>;

const INPUT_TYPE: Record<string, string> = { email: 'email', uri: 'url', date: 'date', 'date-time': 'datetime-local' };

/** `2026-01-02T03:04:05.000Z` → the `YYYY-MM-DDTHH:MM` a datetime-local input shows (local time). */
function toLocalInput(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The form starts with the server's defaults filled in (SEP-1034). */
function initialDraft(fields: ElicitationField[]): Draft {
  const draft: Draft = {};
  for (const field of fields) {
    if (field.kind === 'boolean') draft[field.name] = field.default ?? false;
    else if (field.kind === 'multi-enum') draft[field.name] = field.default ?? [];
    else if (field.kind === 'number') draft[field.name] = field.default !== undefined ? String(field.default) : '';
    else if (field.kind === 'string' && field.format === 'date-time') draft[field.name] = field.default ? toLocalInput(field.default) : '';
    else draft[field.name] = field.default ?? '';
  }
  return draft;
}

/** The answer from the controls: empty text and numbers are left out; a number that is not one stays text (and is refused). */
function contentOf(fields: ElicitationField[], draft: Draft): ElicitationContent {
  const content: ElicitationContent = {};
  for (const field of fields) {
    const value = draft[field.name];
    if (field.kind === 'boolean') content[field.name] = value === true;
    else if (field.kind === 'multi-enum') {
      if (Array.isArray(value) && (value.length > 0 || field.required)) content[field.name] = value;
    } else if (typeof value === 'string' && value.trim() !== '') {
      if (field.kind === 'number') content[field.name] = Number.isFinite(Number(value)) ? Number(value) : value;
      else if (field.kind === 'string' && field.format === 'date-time') {
        const date = new Date(value);
        content[field.name] = Number.isNaN(date.getTime()) ? value : date.toISOString();
      } else content[field.name] = value;
    }
  }
  return content;
}

function FieldRow({ field, problem, children }: { field: ElicitationField; problem: string | undefined; children: (ids: { id: string; describedBy: string | undefined }) => ReactNode }) {
  const id = useId();
  const hintId = useId();
  const errorId = useId();
  const describedBy = [field.description ? hintId : null, problem ? errorId : null].filter(Boolean).join(' ') || undefined;
  const group = field.kind === 'multi-enum';
  const label = (
    <>
      {field.label}
      {field.required && <span aria-hidden="true"> *</span>}
    </>
  );
  const body = (
    <>
      {field.description && (
        <span id={hintId} className="field__hint">
          {field.description}
        </span>
      )}
      {problem && (
        <span id={errorId} className="form__error elicitation__problem">
          {problem}
        </span>
      )}
    </>
  );
  if (group) {
    return (
      <fieldset className="field elicitation__group" aria-describedby={describedBy} aria-invalid={problem ? true : undefined}>
        <legend className="field__label">{label}</legend>
        {children({ id, describedBy })}
        {body}
      </fieldset>
    );
  }
  if (field.kind === 'boolean') {
    return (
      <div className="field">
        <label className="checkbox" htmlFor={id}>
          {children({ id, describedBy })}
          {label}
        </label>
        {body}
      </div>
    );
  }
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children({ id, describedBy })}
      {body}
    </div>
  );
}

function ElicitationFormBody({ request, waiting }: { request: ElicitationRequest; waiting: number }) {
  const answerElicitation = useAppStore((s) => s.answerElicitation);
  const fields = useMemo(() => elicitationFields(request.requestedSchema), [request.requestedSchema]);
  const [draft, setDraft] = useState<Draft>(() => initialDraft(fields));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: string | boolean | string[]) => {
    setDraft((d) => ({ ...d, [name]: value }));
    // A field the user changes is checked again on the next Accept.
    setProblems((p) => {
      if (!(name in p)) return p;
      const { [name]: _changed, ...rest } = p;
      return rest;
    });
  };

  const send = async (action: Action) => {
    let content: ElicitationContent | undefined;
    if (action === 'accept') {
      content = contentOf(fields, draft);
      const found = elicitationProblems(fields, content);
      setProblems(found);
      if (Object.keys(found).length > 0) return;
    }
    setBusy(true);
    const refused = await answerElicitation(request.requestId, action, content);
    setBusy(false);
    if (refused) setProblems(refused);
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void send('accept');
      }}
    >
      <div className="dialog__body form elicitation">
        <p className="field__hint">
          The server <strong>{request.server}</strong> asks for this information. Nothing is sent unless you press Accept.
          {waiting > 1 && ` ${waiting - 1} more request${waiting > 2 ? 's' : ''} waiting.`}
        </p>
        <p className="elicitation__message">{request.message}</p>
        {fields.map((field) => (
          <FieldRow key={field.name} field={field} problem={problems[field.name]}>
            {({ id, describedBy }) => {
              const common = { id, 'aria-describedby': describedBy, 'aria-invalid': problems[field.name] ? true : undefined, 'aria-required': field.required || undefined };
              const value = draft[field.name];
              switch (field.kind) {
                case 'boolean':
                  return <input type="checkbox" {...common} checked={value === true} onChange={(e) => set(field.name, e.target.checked)} />;
                case 'enum':
                  return (
                    <select className="input" {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => set(field.name, e.target.value)}>
                      {(!field.required || field.default === undefined) && <option value="">{field.required ? 'Choose…' : '(none)'}</option>}
                      {field.options.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  );
                case 'multi-enum': {
                  const chosen = Array.isArray(value) ? value : [];
                  return (
                    <div className="elicitation__options">
                      {field.options.map((o) => (
                        <label key={o.value} className="checkbox">
                          <input
                            type="checkbox"
                            checked={chosen.includes(o.value)}
                            onChange={(e) => set(field.name, e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))}
                          />
                          {o.label}
                        </label>
                      ))}
                    </div>
                  );
                }
                case 'number':
                  return (
                    <input
                      className="input"
                      type="number"
                      inputMode={field.integer ? 'numeric' : 'decimal'}
                      step={field.integer ? 1 : 'any'}
                      {...(field.minimum !== null ? { min: field.minimum } : {})}
                      {...(field.maximum !== null ? { max: field.maximum } : {})}
                      {...common}
                      value={typeof value === 'string' ? value : ''}
                      onChange={(e) => set(field.name, e.target.value)}
                    />
                  );
                case 'string':
                  return (
                    <input
                      className="input"
                      type={field.format ? (INPUT_TYPE[field.format] ?? 'text') : 'text'}
                      {...(field.maxLength !== null ? { maxLength: field.maxLength } : {})}
                      {...common}
                      value={typeof value === 'string' ? value : ''}
                      onChange={(e) => set(field.name, e.target.value)}
                    />
                  );
              }
            }}
          </FieldRow>
        ))}
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" disabled={busy} onClick={() => void send('cancel')}>
          Cancel
        </button>
        <button type="button" className="button button--danger" disabled={busy} onClick={() => void send('decline')}>
          Decline
        </button>
        <button type="submit" className="button button--primary" disabled={busy}>
          Accept
        </button>
      </div>
    </form>
  );
}

/** URL mode: the link is shown first; it opens (in the system browser on the desktop) only when the user chooses to. */
function ElicitationLinkBody({ request, waiting }: { request: ElicitationRequest; waiting: number }) {
  const answerElicitation = useAppStore((s) => s.answerElicitation);
  const [busy, setBusy] = useState(false);
  const url = request.url ?? '';
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // shown as given
  }
  const send = (action: Action) => {
    setBusy(true);
    void answerElicitation(request.requestId, action);
  };
  return (
    <div>
      <div className="dialog__body form elicitation">
        <p className="field__hint">
          The server <strong>{request.server}</strong> asks you to open a page on <strong>{host}</strong>. It opens only if you choose to.
          {waiting > 1 && ` ${waiting - 1} more request${waiting > 2 ? 's' : ''} waiting.`}
        </p>
        <p className="elicitation__message">{request.message}</p>
        <p className="dialog__wrap">
          <code>{url}</code>
        </p>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" disabled={busy} onClick={() => send('cancel')}>
          Cancel
        </button>
        <button type="button" className="button button--danger" disabled={busy} onClick={() => send('decline')}>
          Decline
        </button>
        <a
          className="button button--primary"
          href={url}
          target="_blank"
          rel="noopener noreferrer"
          aria-disabled={busy || undefined}
          onClick={() => send('accept')}
        >
          Open the link
        </a>
      </div>
    </div>
  );
}

/** A server's request for input waits here for the user (oldest first). Escape does not answer it: Cancel does. */
export function ElicitationDialog() {
  const requests = useAppStore((s) => s.elicitationRequests);
  const request = requests[0];
  const title = request ? (request.mode === 'url' ? `${request.server} asks you to open a link` : `${request.server} asks for input`) : 'Request for input';
  return (
    <Dialog open={request !== undefined} title={title} onClose={() => undefined} className="dialog--wide dialog--elicitation">
      {request &&
        (request.mode === 'url' ? (
          <ElicitationLinkBody key={request.requestId} request={request} waiting={requests.length} />
        ) : (
          <ElicitationFormBody key={request.requestId} request={request} waiting={requests.length} />
        ))}
    </Dialog>
  );
}
