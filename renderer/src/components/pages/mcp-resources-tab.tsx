import { useState } from 'react';
import type { McpServerStatus } from '../../../../shared/ipc/routes/mcp';
import { describeError } from '../../client/tandem-client-error';
import { formatBytes } from '../../lib/format';
import { useAppStore } from '../../store/store-context';

type Reading = { uri: string; text: string; error: boolean };

/** The server's resources; "Read" shows one's contents (text, or the size of binary data). */
export function McpResourcesTab({ server }: { server: McpServerStatus }) {
  const readMcpResource = useAppStore((s) => s.readMcpResource);
  const [reading, setReading] = useState<Reading | null>(null);
  if (server.resources.length === 0) {
    return <p className="muted">{server.state === 'ready' ? 'This server offers no resources.' : 'Resources are listed once the server is ready.'}</p>;
  }

  const read = async (uri: string) => {
    setReading({ uri, text: 'Reading…', error: false });
    try {
      const { contents } = await readMcpResource(server.name, uri);
      const text = contents
        .map((c) => c.text ?? `(binary ${c.mimeType ?? 'data'}, ${formatBytes(Math.floor(((c.blobBase64 ?? '').length * 3) / 4))})`)
        .join('\n\n');
      setReading({ uri, text: text || '(empty)', error: false });
    } catch (error) {
      setReading({ uri, text: describeError(error), error: true });
    }
  };

  return (
    <>
      <div className="table-scroll mcp-resources">
        <table className="table table--compact" aria-label={`Resources of ${server.name}`}>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">URI</th>
              <th scope="col">Type</th>
              <th scope="col">
                <span className="sr-only">Read</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {server.resources.map((resource) => (
              <tr key={resource.uri}>
                <th scope="row" title={resource.description ?? undefined}>
                  {resource.name}
                </th>
                <td>
                  <code className="path">{resource.uri}</code>
                </td>
                <td>{resource.mimeType ?? '—'}</td>
                <td>
                  <button type="button" className="button button--small" aria-label={`Read ${resource.name}`} onClick={() => void read(resource.uri)}>
                    Read
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {reading && (
        <div className={`mcp-call__result${reading.error ? ' is-error' : ''}`} role="status" aria-label={`Contents of ${reading.uri}`}>
          <p className="mcp-call__result-head">
            <code>{reading.uri}</code>
          </p>
          <pre className="mcp-call__result-text">{reading.text}</pre>
        </div>
      )}
    </>
  );
}
