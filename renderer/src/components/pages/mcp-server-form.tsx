import { useState } from 'react';
import { parseArgs, parseEnvLines, parseHeaderLines } from '../../lib/mcp-form';
import { useAppStore } from '../../store/store-context';
import type { McpServerInput } from '../../store/mcp-slice';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

type Transport = 'stdio' | 'http';

function lineProblem(label: string, parsed: { badLine: number } | { values: Record<string, string> }, form: string): string | null {
  return 'badLine' in parsed ? `${label}: line ${parsed.badLine} is not “${form}”.` : null;
}

/**
 * Adds a server: a local command (stdio) or an HTTP endpoint. Secret values
 * (API keys in env or headers) are sent once, stored encrypted, and only come
 * back masked.
 */
export function AddMcpServerForm() {
  const addMcpServer = useAppStore((s) => s.addMcpServer);
  const [transport, setTransport] = useState<Transport>('stdio');
  const [name, setName] = useState('');
  const [command, setCommand] = useState('');
  const [argsText, setArgsText] = useState('');
  const [envText, setEnvText] = useState('');
  const [secretEnvText, setSecretEnvText] = useState('');
  const [cwd, setCwd] = useState('');
  const [url, setUrl] = useState('');
  const [headersText, setHeadersText] = useState('');
  const [secretHeadersText, setSecretHeadersText] = useState('');
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
      : [lineProblem('Headers', headers, 'Name: value'), lineProblem('Secret headers', secretHeaders, 'Name: value')];
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
      url: url.trim(),
      ...(Object.keys(allHeaders).length ? { headers: allHeaders } : {}),
      ...(secretNames.length ? { secretHeaders: secretNames } : {}),
    };
  };

  return (
    <form
      className="panel form"
      aria-labelledby="add-mcp-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const input = build();
        if (!input || !complete || saving) return;
        setSaving(true);
        const failure = await addMcpServer(input);
        setSaving(false);
        setError(failure);
        if (!failure) {
          for (const reset of [setName, setCommand, setArgsText, setEnvText, setSecretEnvText, setCwd, setUrl, setHeadersText, setSecretHeadersText]) reset('');
        }
      }}
    >
      <h2 id="add-mcp-title" className="panel__title">
        Add server
      </h2>
      <div className="form__grid">
        <label className="field">
          <span className="field__label">Server name</span>
          <input
            className="input"
            value={name}
            required
            maxLength={64}
            aria-invalid={name !== '' && !nameValid}
            placeholder="e.g. filesystem"
            onChange={(event) => setName(event.target.value)}
          />
          <span className="field__hint">Letters, digits, ., _ and -.</span>
        </label>
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
            <label className="field">
              <span className="field__label">Command</span>
              <input className="input" value={command} required placeholder="npx, node, uvx, /path/to/server" onChange={(event) => setCommand(event.target.value)} />
            </label>
            <label className="field">
              <span className="field__label">Working folder</span>
              <input className="input" value={cwd} placeholder="Optional" onChange={(event) => setCwd(event.target.value)} />
            </label>
            <label className="field form__wide">
              <span className="field__label">Arguments</span>
              <textarea
                className="input input--multiline input--code"
                rows={2}
                spellCheck={false}
                value={argsText}
                aria-invalid={args === null}
                placeholder={'-y @modelcontextprotocol/server-filesystem "/path with spaces"'}
                onChange={(event) => setArgsText(event.target.value)}
              />
              <span className="field__hint">One a line, or on one line separated by spaces (quote an argument that has spaces).</span>
            </label>
            <label className="field">
              <span className="field__label">Environment</span>
              <textarea
                className="input input--multiline input--code"
                rows={2}
                spellCheck={false}
                value={envText}
                aria-invalid={'badLine' in env}
                placeholder="LOG_LEVEL=info"
                onChange={(event) => setEnvText(event.target.value)}
              />
              <span className="field__hint">KEY=VALUE, one a line.</span>
            </label>
            <label className="field">
              <span className="field__label">Secret environment</span>
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
              <span className="field__hint">KEY=VALUE lines for tokens and keys: stored encrypted, shown masked afterwards.</span>
            </label>
          </>
        ) : (
          <>
            <label className="field form__wide">
              <span className="field__label">URL</span>
              <input className="input" type="url" value={url} required placeholder="https://example.com/mcp" onChange={(event) => setUrl(event.target.value)} />
              <span className="field__hint">Streamable HTTP; old SSE servers are tried when that fails.</span>
            </label>
            <label className="field">
              <span className="field__label">Headers</span>
              <textarea
                className="input input--multiline input--code"
                rows={2}
                spellCheck={false}
                value={headersText}
                aria-invalid={'badLine' in headers}
                placeholder="X-Team: docs"
                onChange={(event) => setHeadersText(event.target.value)}
              />
              <span className="field__hint">One “Name: value” a line.</span>
            </label>
            <label className="field">
              <span className="field__label">Secret headers</span>
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
              <span className="field__hint">Stored encrypted, shown masked afterwards.</span>
            </label>
          </>
        )}
      </div>
      {(problem ?? error) && (
        <p className="form__error" role="alert">
          {problem ?? error}
        </p>
      )}
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={saving || !complete || problem !== null}>
          {saving ? 'Adding…' : 'Add server'}
        </button>
      </div>
    </form>
  );
}
