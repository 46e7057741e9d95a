import { useState } from 'react';
import type { ChatSettings } from '../../../../shared/ipc/chat-settings';
import { useAppStore } from '../../store/store-context';
import type { ChatTools } from '../../store/mcp-slice';
import { WrenchIcon } from '../common/icons';
import { Popover } from '../common/popover';
import { Field } from '../common/field';

const NO_SETTINGS: ChatSettings = {};
const MAX_STEPS = 50;

function ToolsPanel({ chatId, tools, settings }: { chatId: string | null; tools: ChatTools; settings: ChatSettings }) {
  const servers = useAppStore((s) => s.mcpServers);
  const updateChatSettings = useAppStore((s) => s.updateChatSettings);
  const setNewChatTools = useAppStore((s) => s.setNewChatTools);
  const showPage = useAppStore((s) => s.showPage);
  const [steps, setSteps] = useState(tools.maxSteps === undefined ? '' : String(tools.maxSteps));
  const shown = servers.filter((s) => s.state === 'ready' || tools.servers.includes(s.name));
  const parsedSteps = steps.trim() === '' ? undefined : Number(steps);
  const stepsValid = parsedSteps === undefined || (Number.isInteger(parsedSteps) && parsedSteps >= 1 && parsedSteps <= MAX_STEPS);

  const save = (next: ChatTools) => {
    const clean: ChatTools = { servers: next.servers, ...(next.maxSteps !== undefined ? { maxSteps: next.maxSteps } : {}) };
    if (chatId) void updateChatSettings(chatId, { ...settings, tools: clean });
    else setNewChatTools(clean.servers.length || clean.maxSteps !== undefined ? clean : null);
  };

  const saveSteps = () => {
    if (stepsValid && parsedSteps !== tools.maxSteps) save({ servers: tools.servers, ...(parsedSteps !== undefined ? { maxSteps: parsedSteps } : {}) });
  };

  return (
    <div className="tools-panel">
      <p className="tools-panel__title">Tools the model may call in this chat</p>
      {shown.length === 0 ? (
        <p className="muted">
          No MCP server is ready.{' '}
          <button type="button" className="link-button" onClick={() => showPage('mcp')}>
            Add one on the MCP page
          </button>
        </p>
      ) : (
        <ul className="tools-panel__servers">
          {shown.map((server) => {
            const enabledTools = server.tools.filter((t) => t.enabled).length;
            return (
              <li key={server.name}>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={tools.servers.includes(server.name)}
                    onChange={(event) =>
                      save({
                        ...tools,
                        servers: event.target.checked ? [...tools.servers, server.name] : tools.servers.filter((name) => name !== server.name),
                      })
                    }
                  />
                  {server.name}
                  <span className="muted">{server.state === 'ready' ? `${enabledTools} tools` : server.state}</span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
      <Field label="Step limit" hint={<>Tool calls the model may make before it must answer (1–{MAX_STEPS}).</>} className="tools-panel__steps">
        <input
          className="input"
          type="number"
          min={1}
          max={MAX_STEPS}
          step={1}
          placeholder="Default"
          value={steps}
          aria-invalid={!stepsValid}
          onChange={(event) => setSteps(event.target.value)}
          onBlur={saveSteps}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              saveSteps();
            }
          }}
        />
      </Field>
    </div>
  );
}

/** The composer's "Tools" control: which MCP servers this chat's model may use, and the tool loop's step limit. */
export function ToolsPopover() {
  const chatId = useAppStore((s) => s.activeChatId);
  const settings = useAppStore((s) => (s.activeChatId ? (s.chats.find((c) => c.id === s.activeChatId)?.settings ?? NO_SETTINGS) : NO_SETTINGS));
  const newChatTools = useAppStore((s) => s.newChatTools);
  const tools: ChatTools = (chatId ? settings.tools : newChatTools) ?? { servers: [] };
  const count = tools.servers.length;

  return (
    <Popover
      label={count ? `Tools (${count} server${count === 1 ? '' : 's'})` : 'Tools'}
      title="Tools"
      buttonClassName={`composer__tool-button${count ? ' is-active' : ''}`}
      button={
        <>
          <WrenchIcon />
          <span>Tools</span>
          {count > 0 && <span className="composer__count">{count}</span>}
        </>
      }
    >
      <ToolsPanel key={chatId ?? 'new'} chatId={chatId} tools={tools} settings={settings} />
    </Popover>
  );
}
