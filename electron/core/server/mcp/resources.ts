import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Collection } from '../../../../shared/ipc/routes/documents';
import type { Core } from '../../app/create-core';
import { buildModelContexts, modelContextOf } from '../model-context';

/** `tandem://models/ID`: ids such as `PROVIDER/MODEL` are percent-encoded into one path segment. */
export const modelUri = (id: string) => `tandem://models/${encodeURIComponent(id)}`;
export const collectionUri = (id: string) => `tandem://collections/${encodeURIComponent(id)}`;

function collectionView(c: Collection) {
  return {
    id: c.id,
    name: c.name,
    files: c.files,
    chunks: c.chunks,
    failed: c.failed,
    localOnly: c.sources.some((s) => s.localOnly),
    state: c.state,
    lastIndexedAt: c.lastIndexedAt,
    embedder: c.embedder,
    sources: c.sources.map((s) => ({ path: s.path, kind: s.kind, localOnly: s.localOnly })),
  };
}

function variable(value: string | string[] | undefined): string {
  return decodeURIComponent(Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
}

function json(uri: string, value: unknown) {
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

/** Collections and models as MCP resources (listed, read, and their ids completed). */
export function registerResources(server: McpServer, core: Core): void {
  const collectionIds = async (prefix: string) =>
    (await core.documents.list()).map((c) => c.id).filter((id) => id.startsWith(prefix));
  server.registerResource(
    'collection',
    new ResourceTemplate('tandem://collections/{id}', {
      list: async () => ({
        resources: (await core.documents.list()).map((c) => ({
          uri: collectionUri(c.id),
          name: c.name,
          description: `Document collection: ${c.files} files, ${c.chunks} chunks${c.sources.some((s) => s.localOnly) ? ', local-only' : ''}`,
          mimeType: 'application/json',
        })),
      }),
      complete: { id: collectionIds },
    }),
    { title: 'Document collection', description: 'A collection of indexed documents: name, files, chunks, localOnly', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = variable(variables.id);
      const record = core.documents.find(id);
      if (!record) throw new McpError(ErrorCode.InvalidParams, `There is no collection "${id}"`);
      return json(uri.href, collectionView(await core.documents.get(record.id)));
    },
  );

  const modelIds = async (prefix: string) =>
    (await buildModelContexts(core)).map((m) => m.id).filter((id) => id.startsWith(prefix));
  server.registerResource(
    'model',
    new ResourceTemplate('tandem://models/{id}', {
      list: async () => ({
        resources: (await buildModelContexts(core)).map((m) => ({
          uri: modelUri(m.id),
          name: m.id,
          description: `${m.kind === 'router' ? 'Tandem’s router' : `A ${m.kind} model`}: its model context`,
          mimeType: 'application/json',
        })),
      }),
      complete: { id: modelIds },
    }),
    { title: 'Model context', description: 'A model’s context: identification, capabilities, defaults, tokenizer, runtime', mimeType: 'application/json' },
    async (uri, variables) => {
      const id = variable(variables.id);
      const context = await modelContextOf(core, id);
      if (!context) throw new McpError(ErrorCode.InvalidParams, `There is no model "${id}"`);
      return json(uri.href, context);
    },
  );
}
