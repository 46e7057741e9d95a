import { useState } from 'react';
import type { Settings } from '../../../../shared/ipc/domain';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';

const MIN_CHARS = 1000;
const MAX_CHARS = 10_000_000;

/** Every model that can answer: usable local files, then each provider's models. */
export function useAnsweringModels(): { id: string; label: string }[] {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  return [
    ...models.filter((m) => m.problem === null).map((m) => ({ id: m.id, label: m.name })),
    ...Object.values(cloudModels).flatMap((list) => list.map((m) => ({ id: m.id, label: m.id }))),
  ];
}

function McpSettingsForm({ mcp }: { mcp: Settings['mcp'] }) {
  const updateMcpSettings = useAppStore((s) => s.updateMcpSettings);
  const models = useAnsweringModels();
  const [root, setRoot] = useState('');
  const [chars, setChars] = useState(String(mcp.maxToolResultChars));
  const parsedChars = Number(chars);
  const charsValid = Number.isInteger(parsedChars) && parsedChars >= MIN_CHARS && parsedChars <= MAX_CHARS;
  const save = (patch: Partial<Settings['mcp']>) => updateMcpSettings(patch);

  return (
    <>
      <div className="field">
        <span className="field__label" id="mcp-roots-label">
          Roots
        </span>
        <span className="field__hint">Folders offered to servers that ask which files they may work on.</span>
        <ul className="folder-list" aria-labelledby="mcp-roots-label">
          {mcp.roots.length === 0 && <li className="muted">No roots.</li>}
          {mcp.roots.map((path) => (
            <li key={path} className="folder-list__item">
              <code className="folder-list__path" title={path}>
                {path}
              </code>
              <button type="button" className="button button--small" aria-label={`Remove root ${path}`} onClick={() => void save({ roots: mcp.roots.filter((r) => r !== path) })}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      </div>
      <form
        className="folder-form"
        onSubmit={(event) => {
          event.preventDefault();
          const path = root.trim();
          if (!path || mcp.roots.includes(path)) return;
          void save({ roots: [...mcp.roots, path] }).then((ok) => ok && setRoot(''));
        }}
      >
        <Field label="Root folder" className="folder-form__field">
          <input className="input" value={root} placeholder="/path/to/project" onChange={(event) => setRoot(event.target.value)} />
        </Field>
        <button type="submit" className="button" disabled={!root.trim()}>
          Add root
        </button>
      </form>
      <div className="form__grid mcp-settings__grid">
        <Field label="Sampling model" hint="Proposed when a server asks to sample a model; you approve each request.">
          <select className="input" value={mcp.samplingModelId ?? ''} onChange={(event) => void save({ samplingModelId: event.target.value || null })}>
            <option value="">First local model</option>
            {mcp.samplingModelId && !models.some((m) => m.id === mcp.samplingModelId) && <option value={mcp.samplingModelId}>{mcp.samplingModelId}</option>}
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        <form
          className="field"
          onSubmit={(event) => {
            event.preventDefault();
            if (charsValid && parsedChars !== mcp.maxToolResultChars) void save({ maxToolResultChars: parsedChars });
          }}
        >
          <label className="field__label" htmlFor="mcp-max-chars">
            Max tool result characters
          </label>
          <div className="mcp-settings__inline">
            <input
              id="mcp-max-chars"
              className="input"
              type="number"
              min={MIN_CHARS}
              max={MAX_CHARS}
              step={1000}
              value={chars}
              aria-invalid={!charsValid}
              onChange={(event) => setChars(event.target.value)}
            />
            <button type="submit" className="button" disabled={!charsValid || parsedChars === mcp.maxToolResultChars}>
              Save
            </button>
          </div>
          <span className="field__hint">Longer results reach the model truncated; you always see them whole.</span>
        </form>
      </div>
    </>
  );
}

/** Roots, the sampling model and the tool result limit (settings `mcp`). */
export function McpSettingsPanel() {
  const mcp = useAppStore((s) => s.settings?.mcp);
  return (
    <section className="panel form" aria-labelledby="mcp-settings-title">
      <h2 id="mcp-settings-title" className="panel__title">
        MCP settings
      </h2>
      {mcp ? <McpSettingsForm key={mcp.maxToolResultChars} mcp={mcp} /> : <p className="muted">Loading settings…</p>}
    </section>
  );
}
