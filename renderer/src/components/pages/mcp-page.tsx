import { useState } from 'react';
import { downloadFile } from '../../lib/download-file';
import { useAppStore } from '../../store/store-context';
import { NoticeList } from '../chat/notice-list';
import { McpImportDialog } from './mcp-import-dialog';
import { McpServerCard } from './mcp-server-card';
import { AddMcpServerForm } from './mcp-server-form';
import { McpSettingsPanel } from './mcp-settings-panel';

/** MCP servers: add, import and export them, watch their state, try their tools, read their logs. */
export function McpPage() {
  const servers = useAppStore((s) => s.mcpServers);
  const status = useAppStore((s) => s.mcpStatus);
  const exportMcp = useAppStore((s) => s.exportMcp);
  const [importing, setImporting] = useState(false);

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">MCP servers</h1>
        <div className="page__actions">
          <button type="button" className="button" onClick={() => setImporting(true)}>
            Import
          </button>
          <button
            type="button"
            className="button"
            disabled={servers.length === 0}
            title="Download the servers as mcp.json (secret values left out)"
            onClick={() => void exportMcp().then((file) => file && downloadFile(file))}
          >
            Export
          </button>
        </div>
      </header>
      <NoticeList />
      <div className="page__body">
        <section aria-labelledby="mcp-servers-title" className="page__section">
          <h2 id="mcp-servers-title" className="panel__title">
            Servers
          </h2>
          {servers.length === 0 && (
            <p className="muted">{status === 'ready' ? 'No MCP servers yet. Add one below, or import a claude_desktop_config.json or mcp.json.' : 'Loading…'}</p>
          )}
          {servers.map((server) => (
            <McpServerCard key={server.name} server={server} />
          ))}
        </section>
        <AddMcpServerForm />
        <McpSettingsPanel />
      </div>
      <McpImportDialog open={importing} onClose={() => setImporting(false)} />
    </div>
  );
}
