import { useEffect, useId, useRef, useState } from 'react';
import type { McpCallResult, McpServerStatus, McpTool } from '../../../../shared/ipc/routes/mcp';
import { describeError } from '../../client/tandem-client-error';
import { exampleArgs, formatJson } from '../../lib/mcp-form';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';

type Outcome = { kind: 'result'; tool: string; result: McpCallResult } | { kind: 'failed'; tool: string; message: string };

function parseArgsJson(text: string): { args: Record<string, unknown> } | { problem: string } {
  if (!text.trim()) return { args: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'The arguments must be a JSON object ({ … }).' };
    return { args: value as Record<string, unknown> };
  } catch (error) {
    return { problem: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

interface McpCallToolFormProps {
  server: McpServerStatus;
  /** The tool to call; the form is keyed by it, so another tool starts from its own schema. */
  tool: McpTool;
  /** Focus the arguments on mount ("Try" was pressed). */
  focusArgs: boolean;
  onToolChange: (tool: string) => void;
}

/** Calls one of the server's tools with JSON arguments (prefilled from its schema) and shows the answer. */
export function McpCallToolForm({ server, tool: chosen, focusArgs, onToolChange }: McpCallToolFormProps) {
  const callMcpTool = useAppStore((s) => s.callMcpTool);
  const [text, setText] = useState(() => formatJson(exampleArgs(chosen.inputSchema)));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [calling, setCalling] = useState(false);
  const argsRef = useRef<HTMLTextAreaElement>(null);
  const errorId = useId();

  // "Try" on a row brings the form into view with the arguments ready to edit.
  useEffect(() => {
    if (!focusArgs) return;
    argsRef.current?.focus();
    argsRef.current?.scrollIntoView({ block: 'nearest' });
  }, [focusArgs]);

  const parsed = parseArgsJson(text);
  const problem = 'problem' in parsed ? parsed.problem : null;

  return (
    <form
      className="mcp-call"
      aria-label={`Call a tool of ${server.name}`}
      onSubmit={async (event) => {
        event.preventDefault();
        if (!('args' in parsed) || calling) return;
        setCalling(true);
        setOutcome(null);
        try {
          setOutcome({ kind: 'result', tool: chosen.name, result: await callMcpTool(server.name, chosen.name, parsed.args) });
        } catch (error) {
          setOutcome({ kind: 'failed', tool: chosen.name, message: describeError(error) });
        } finally {
          setCalling(false);
        }
      }}
    >
      <h4 className="mcp-call__title">Call tool</h4>
      <Field label="Tool">
        <select className="input" value={chosen.name} onChange={(event) => onToolChange(event.target.value)}>
          {server.tools.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      {chosen.description && <p className="muted mcp-call__description">{chosen.description}</p>}
      <Field label="Tool arguments (JSON)">
        <textarea
          ref={argsRef}
          className="input input--multiline input--code"
          rows={Math.min(12, Math.max(3, text.split('\n').length))}
          spellCheck={false}
          value={text}
          aria-invalid={problem !== null}
          aria-describedby={problem ? errorId : undefined}
          onChange={(event) => setText(event.target.value)}
        />
      </Field>
      {problem && (
        <p id={errorId} className="form__error">
          {problem}
        </p>
      )}
      <div className="mcp-call__actions">
        <button type="submit" className="button button--primary" disabled={calling || problem !== null || server.state !== 'ready'}>
          {calling ? 'Calling…' : 'Call'}
        </button>
        {server.state !== 'ready' && <span className="muted">The server is not ready.</span>}
      </div>
      {outcome && (
        <div
          className={`mcp-call__result${outcome.kind === 'failed' || outcome.result.isError ? ' is-error' : ''}`}
          role="status"
          aria-label={`Result of ${outcome.tool}`}
        >
          {outcome.kind === 'failed' ? (
            <p className="mcp-call__result-head">Call failed: {outcome.message}</p>
          ) : (
            <>
              <p className="mcp-call__result-head">
                {outcome.result.isError ? 'Tool error' : 'Result'} · {Math.round(outcome.result.durationMs)} ms
              </p>
              <pre className="mcp-call__result-text">{outcome.result.text || '(no text)'}</pre>
            </>
          )}
        </div>
      )}
    </form>
  );
}
