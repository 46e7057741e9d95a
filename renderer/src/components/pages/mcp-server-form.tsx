import { useId, useState } from 'react';
import type { McpServerConfigView } from '../../../../shared/ipc/routes/mcp';
import { parseArgs, parseEnvLines, parseHeaderLines } from '../../lib/mcp-form';
import { useAppStore } from '../../store/store-context';
import type { McpServerInput } from '../../store/mcp-slice';
import { Field } from '../common/field';
import { useAuthFields } from '../mcp/mcp-auth-fields';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

type Transport = 'stdio' | 'http';

function lineProblem(label: string, parsed: { badLine: number } | { values: Record<string, string> }, form: string): string | null {
  return 'badLine' in parsed ? `${label}: line ${parsed.badLine} is not “${form}”.` : null;
}

/** Lines of `shown` values: plain ones as KEY=VALUE, secret ones as KEY= (left empty, the stored value is kept). */
function linesOf(shown: McpServerConfigView['env'], secret: boolean, separator: string): string {
  return Object.entries(shown)
    .filter(([, v]) => v.secret === secret)
    .map(([key, v]) => `${key}${separator}${secret ? '' : v.value}`)
    .join('\n');
}

/** Arguments as the Arguments field shows them: one a line; a lone one with spaces quoted (one line is split on spaces). */
function argsLines(args: string[]): string {
  const only = args.length === 1 ? args[0]! : null;
  return only !== null && /[\s"']/.test(only) ? JSON.stringify(only) : args.join('\n');
}

interface McpServerFormProps {
  /** A server's config to edit (its name cannot change); none adds a new one. */
  initial?: McpServerConfigView;
  submitLabel: string;
  onSubmit: (input: McpServerInput) => Promise<string | null>;
  /** In a dialog: a Cancel button and the dialog's layout. */
  onCancel?: () => void;
}

/**
 * A server's settings: a local command (stdio) or an HTTP endpoint. Secret
 * values (API keys in env or headers) are sent once, stored encrypted, and
 * only come back masked; when editing, a secret left empty keeps its value.
 */
export function McpServerForm({ initial, submitLabel, onSubmit, onCancel }: McpServerFormProps) {
  const editing = initial !== undefined;
  const titleId = useId();
  const [transport, setTransport] = useState<Transport>(initial?.transport ?? 'stdio');
  const [name, setName] = useState(initial?.name ?? '');
  const [command, setCommand] = useState(initial?.command ?? '');
  const [argsText, setArgsText] = useState(initial ? argsLines(initial.args) : '');
  const [envText, setEnvText] = useState(initial ? linesOf(initial.env, false, '=') : '');
  const [secretEnvText, setSecretEnvText] = useState(initial ? linesOf(initial.env, true, '=') : '');
  const [cwd, setCwd] = useState(initial?.cwd ?? '');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [headersText, setHeadersText] = useState(initial ? linesOf(initial.headers, false, ': ') : '');
  const [secretHeadersText, setSecretHeadersText] = useState(initial ? linesOf(initial.headers, true, ': ') : '');
  const auth = useAuthFields(initial?.auth);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const nameValid = NAME_PATTERN.test(name) && name.length <= 64;
  const args = parseArgs(argsText);
  const env = parseEnvLines(envText);
  const secretEnv = parseEnvLines(secretEnvText);
  const headers = parseHeaderLines(headersText);
  const secretHeaders = parseHeaderLines(secretHeadersText);
  const problems =
    transport === 'stdio'
      ? [
          args === null ? 'Arguments: a quote is not closed.' : null,
          lineProblem('Environment', env, 'KEY=VALUE'),
          lineProblem('Secret environment', secretEnv, 'KEY=VALUE'),
        ]
      : [lineProblem('Headers', headers, 'Name: value'), lineProblem('Secret headers', secretHeaders, 'Name: value'), auth.problem];
  const problem = problems.find((p) => p !== null) ?? null;
  const complete = nameValid && (transport === 'stdio' ? command.trim() !== '' : url.trim() !== '');

  const build = (): McpServerInput | null => {
    if (transport === 'stdio') {
      if (args === null || 'badLine' in env || 'badLine' in secretEnv) return null;
      const allEnv = { ...env.values, ...secretEnv.values };
      const secretNames = Object.keys(secretEnv.values);
      return {
        transport: 'stdio',
        name,
        ...(initial ? { enabled: initial.enabled, timeoutMs: initial.timeoutMs } : {}),
        command: command.trim(),
        ...(args.length ? { args } : {}),
        ...(Object.keys(allEnv).length ? { env: allEnv } : {}),
        ...(secretNames.length ? { secretEnv: secretNames } : {}),
        ...(cwd.trim() ? { cwd: cwd.trim() } : {}),
      };
    }
    if ('badLine' in headers || 'badLine' in secretHeaders) return null;
    const allHeaders = { ...headers.values, ...secretHeaders.values };
    const secretNames = Object.keys(secretHeaders.values);
    return {
      transport: 'http',
      name,
      ...(initial ? { enabled: initial.enabled, timeoutMs: initial.timeoutMs } : {}),
      url: url.trim(),
      ...(Object.keys(allHeaders).length ? { headers: allHeaders } : {}),
      ...(secretNames.length ? { secretHeaders: secretNames } : {}),
      ...(auth.input ? { auth: auth.input } : {}),
    };
  };

  return (
    <form
      className={onCancel ? undefined : 'panel form'}
      aria-labelledby={onCancel ? undefined : titleId}
      onSubmit={async (event) => {
        event.preventDefault();
        const input = build();
        if (!input || !complete || saving) return;
        setSaving(true);
        const failure = await onSubmit(input);
        setSaving(false);
        setError(failure);
        if (!failure && !editing) {
          for (const reset of [setName, setCommand, setArgsText, setEnvText, setSecretEnvText, setCwd, setUrl, setHeadersText, setSecretHeadersText]) reset('');
        }
      }}
    >
      {!onCancel && (
        <h2 id={titleId} className="panel__title">
          {submitLabel}
        </h2>
      )}
      <div className={`form__grid${onCancel ? ' dialog__body' : ''}`}>
        <Field label="Server name" hint="Letters, digits, ., _ and -.">
          <input
            className="input"
            value={name}
            required
            readOnly={editing}
            maxLength={64}
            aria-invalid={name !== '' && !nameValid}
            placeholder="e.g. filesystem"
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
        <fieldset className="field mcp-transport">
          <legend className="field__label">Transport</legend>
          <div className="segmented" role="radiogroup" aria-label="Transport">
            {(
              [
                ['stdio', 'Local command (stdio)'],
                ['http', 'HTTP'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className={`segmented__option${transport === value ? ' is-checked' : ''}`}>
                <input className="segmented__input" type="radio" name="mcp-transport" value={value} checked={transport === value} onChange={() => setTransport(value)} />
                {label}
              </label>
            ))}
          </div>
        </fieldset>
        {transport === 'stdio' ? (
          <>
            <Field label="Command">
              <input className="input" value={command} required placeholder="npx, node, uvx, /path/to/server" onChange={(event) => setCommand(event.target.value)} />
            </Field>
            <Field label="Working folder">
              <input className="input" value={cwd} placeholder="Optional" onChange={(event) => setCwd(event.target.value)} />
            </Field>
            <Field label="Arguments" hint="One a line, or on one line separated by spaces (quote an argument that has spaces)." className="form__wide">
              <textarea
                className="input input--multiline input--code"
                rows={Math.min(6, Math.max(2, argsText.split('\n').length))}
                spellCheck={false}
                value={argsText}
                aria-invalid={args === null}
                placeholder={'-y @modelcontextprotocol/server-filesystem "/path with spaces"'}
                onChange={(event) => setArgsText(event.target.value)}
              />
            </Field>
            <Field label="Environment" hint="KEY=VALUE, one a line.">
              <textarea
                className="input input--multiline input--code"
                rows={2}
                spellCheck={false}
                value={envText}
                aria-invalid={'badLine' in env}
                placeholder="LOG_LEVEL=info"
                onChange={(event) => setEnvText(event.target.value)}
              />
            </Field>
            <Field label="Secret environment" hint={<>KEY=VALUE lines for tokens and keys: stored encrypted, shown masked afterwards.{editing && ' A secret left empty (KEY=) keeps its stored value.'}</>}>
              <textarea
                className="input input--multiline input--code input--secret"
                rows={2}
                spellCheck={false}
                autoComplete="off"
                value={secretEnvText}
                aria-invalid={'badLine' in secretEnv}
                placeholder="API_KEY=…"
                onChange={(event) => setSecretEnvText(event.target.value)}
              />
            </Field>
          </>
        ) : (
          <>
            <Field label="URL" hint="Streamable HTTP; old SSE servers are tried when that fails." className="form__wide">
              <input className="input" type="url" value={url} required placeholder="https://example.com/mcp" onChange={(event) => setUrl(event.target.value)} />
            </Field>
            <Field label="Headers" hint="One “Name: value” a line.">
              <textarea
                className="input input--multiline input--code"
                rows={2}
                spellCheck={false}
                value={headersText}
                aria-invalid={'badLine' in headers}
                placeholder="X-Team: docs"
                onChange={(event) => setHeadersText(event.target.value)}
              />
            </Field>
            <Field label="Secret headers" hint={<>Stored encrypted, shown masked afterwards.{editing && ' A secret left empty keeps its stored value.'}</>}>
              <textarea
                className="input input--multiline input--code input--secret"
                rows={2}
                spellCheck={false}
                autoComplete="off"
                value={secretHeadersText}
                aria-invalid={'badLine' in secretHeaders}
                placeholder="Authorization: Bearer …"
                onChange={(event) => setSecretHeadersText(event.target.value)}
              />
            </Field>
            {auth.render()}
          </>
        )}
      </div>
      {(problem ?? error) && (
        <p className="form__error" role="alert">
          {problem ?? error}
        </p>
      )}
      <div className={onCancel ? 'dialog__actions' : 'form__actions'}>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={saving || !complete || problem !== null}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

/** The MCP page's "Add server" panel. */
export function AddMcpServerForm() {
  const addMcpServer = useAppStore((s) => s.addMcpServer);
  return <McpServerForm submitLabel="Add server" onSubmit={addMcpServer} />;
}
