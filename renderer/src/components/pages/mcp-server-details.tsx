import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { McpServerStatus } from '../../../../shared/ipc/routes/mcp';
import { describeError } from '../../client/tandem-client-error';
import { useAppStore } from '../../store/store-context';
import { McpCallToolForm } from './mcp-call-tool-form';
import { McpResourcesTab } from './mcp-resources-tab';

type Tab = 'tools' | 'resources' | 'prompts' | 'log';
const TABS: { id: Tab; label: string }[] = [
  { id: 'tools', label: 'Tools' },
  { id: 'resources', label: 'Resources' },
  { id: 'prompts', label: 'Prompts' },
  { id: 'log', label: 'Log' },
];

function ToolsTab({ server }: { server: McpServerStatus }) {
  const setMcpToolPolicy = useAppStore((s) => s.setMcpToolPolicy);
  const [calling, setCalling] = useState<string | null>(null);
  const chosen = server.tools.find((t) => t.name === calling) ?? server.tools[0];
  if (!chosen) return <p className="muted">{server.state === 'ready' ? 'This server offers no tools.' : 'Tools are listed once the server is ready.'}</p>;
  return (
    <>
      <div className="table-scroll">
        <table className="table table--compact mcp-tools" aria-label={`Tools of ${server.name}`}>
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Description</th>
              <th scope="col">Enabled</th>
              <th scope="col">Approval</th>
              <th scope="col">
                <span className="sr-only">Call</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {server.tools.map((tool) => (
              <tr key={tool.name}>
                <th scope="row">
                  <code>{tool.name}</code>
                  {tool.title && tool.title !== tool.name && <div className="muted">{tool.title}</div>}
                </th>
                <td className="mcp-tools__description">{tool.description}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Enable ${tool.name}`}
                    checked={tool.enabled}
                    onChange={(event) => void setMcpToolPolicy(server.name, tool.name, { enabled: event.target.checked })}
                  />
                </td>
                <td>
                  <select
                    className="input input--small"
                    aria-label={`Approval for ${tool.name}`}
                    value={tool.approval}
                    onChange={(event) => void setMcpToolPolicy(server.name, tool.name, { approval: event.target.value as 'ask' | 'always-allow' })}
                  >
                    <option value="ask">Ask</option>
                    <option value="always-allow">Always allow</option>
                  </select>
                </td>
                <td>
                  <button type="button" className="button button--small" aria-label={`Try ${tool.name}`} onClick={() => setCalling(tool.name)}>
                    Try
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <McpCallToolForm key={chosen.name} server={server} tool={chosen} focusArgs={calling !== null} onToolChange={setCalling} />
    </>
  );
}

function PromptsTab({ server }: { server: McpServerStatus }) {
  if (server.prompts.length === 0) return <p className="muted">{server.state === 'ready' ? 'This server offers no prompts.' : 'Prompts are listed once the server is ready.'}</p>;
  return (
    <ul className="mcp-list" aria-label={`Prompts of ${server.name}`}>
      {server.prompts.map((prompt) => (
        <li key={prompt.name} className="mcp-list__item">
          <code>{prompt.name}</code>
          {prompt.description && <span className="muted"> — {prompt.description}</span>}
          {prompt.arguments.length > 0 && (
            <div className="muted">
              Arguments:{' '}
              {prompt.arguments.map((arg, i) => (
                <span key={arg.name} title={arg.description ?? undefined}>
                  {i > 0 && ', '}
                  <code>{arg.name}</code>
                  {arg.required ? '' : ' (optional)'}
                </span>
              ))}
            </div>
          )}
        </li>
      ))}
      <li className="muted mcp-list__hint">Type “/” at the start of a message to use a prompt.</li>
    </ul>
  );
}

function LogTab({ server }: { server: McpServerStatus }) {
  const loadMcpLogs = useAppStore((s) => s.loadMcpLogs);
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const preRef = useRef<HTMLPreElement>(null);
  const refresh = useCallback(() => {
    loadMcpLogs(server.name).then(
      (next) => {
        setLines(next);
        setError(null);
      },
      (reason: unknown) => setError(describeError(reason)),
    );
  }, [loadMcpLogs, server.name]);

  useEffect(refresh, [refresh]);
  useEffect(() => {
    const pre = preRef.current;
    if (pre) pre.scrollTop = pre.scrollHeight;
  }, [lines]);

  return (
    <div className="mcp-log">
      <div className="mcp-log__bar">
        <span className="muted">The server’s stderr and Tandem’s notes about it.</span>
        <button type="button" className="button button--small" aria-label={`Refresh the log of ${server.name}`} onClick={refresh}>
          Refresh
        </button>
      </div>
      {error && <p className="form__error">{error}</p>}
      <pre ref={preRef} className="mcp-log__lines" aria-label={`Log of ${server.name}`} tabIndex={0}>
        {lines === null ? 'Loading…' : lines.length ? lines.join('\n') : 'Nothing logged yet.'}
      </pre>
    </div>
  );
}

/** Tabs with what a server offers (tools, resources, prompts) and its log; arrow keys move between tabs. */
export function McpServerDetails({ server }: { server: McpServerStatus }) {
  const [tab, setTab] = useState<Tab>('tools');
  const baseId = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const counts: Record<Tab, number | null> = {
    tools: server.tools.length,
    resources: server.resources.length,
    prompts: server.prompts.length,
    log: null,
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.id === tab);
    let next = index;
    if (event.key === 'ArrowRight') next = (index + 1) % TABS.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + TABS.length) % TABS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = TABS.length - 1;
    else return;
    event.preventDefault();
    setTab(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  };

  return (
    <div className="mcp-details">
      <div role="tablist" aria-label={`Details of ${server.name}`} className="tabs" onKeyDown={onKeyDown}>
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${baseId}-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${baseId}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            className={`tabs__tab${tab === t.id ? ' is-selected' : ''}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {counts[t.id] !== null && <span className="tabs__count">{counts[t.id]}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${baseId}-panel`} aria-labelledby={`${baseId}-tab-${tab}`} className="tabs__panel">
        {tab === 'tools' && <ToolsTab server={server} />}
        {tab === 'resources' && <McpResourcesTab server={server} />}
        {tab === 'prompts' && <PromptsTab server={server} />}
        {tab === 'log' && <LogTab server={server} />}
      </div>
    </div>
  );
}
