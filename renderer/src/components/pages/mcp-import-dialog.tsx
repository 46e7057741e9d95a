import { useState } from 'react';
import { useAppStore } from '../../store/store-context';
import type { McpImportResult } from '../../store/mcp-slice';
import { Dialog } from '../common/dialog';
import { Field } from '../common/field';

/** Imports the `mcpServers` of a claude_desktop_config.json or an mcp.json, pasted or from a file; says what was added and what was skipped, and why. */
function ImportForm({ onDone }: { onDone: () => void }) {
  const importMcp = useAppStore((s) => s.importMcp);
  const [content, setContent] = useState('');
  const [result, setResult] = useState<McpImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (!content.trim() || busy) return;
        setBusy(true);
        const answer = await importMcp(content);
        setBusy(false);
        if (typeof answer === 'string') {
          setError(answer);
          setResult(null);
        } else {
          setError(null);
          setResult(answer);
        }
      }}
    >
      <div className="dialog__body form">
        <Field label="Configuration JSON">
          <textarea
            className="input input--multiline input--code"
            rows={8}
            spellCheck={false}
            value={content}
            placeholder={'{ "mcpServers": { "name": { "command": "npx", "args": ["-y", "…"] } } }'}
            onChange={(event) => setContent(event.target.value)}
          />
        </Field>
        <Field label="Or read a file" hint="claude_desktop_config.json, .cursor/mcp.json, .vscode/mcp.json…">
          <input
            className="input input--file"
            type="file"
            accept=".json,application/json"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void file.text().then(setContent);
            }}
          />
        </Field>
        {error && (
          <p className="form__error" role="alert">
            {error}
          </p>
        )}
        {result && (
          <div role="status" className="mcp-import__result">
            <p>
              <strong>Added:</strong> {result.added.length ? result.added.join(', ') : 'none'}
            </p>
            {result.skipped.length > 0 && (
              <>
                <p>
                  <strong>Skipped:</strong>
                </p>
                <ul className="mcp-import__skipped">
                  {result.skipped.map((s) => (
                    <li key={s.name}>
                      <code>{s.name}</code> — {s.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onDone}>
          {result ? 'Close' : 'Cancel'}
        </button>
        <button type="submit" className="button button--primary" disabled={!content.trim() || busy}>
          Import
        </button>
      </div>
    </form>
  );
}

export function McpImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Import MCP servers" onClose={onClose} className="dialog--wide">
      <ImportForm onDone={onClose} />
    </Dialog>
  );
}
