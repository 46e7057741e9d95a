import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CodedError } from '../../../../shared/ipc/errors';
import { SearchModeSchema } from '../../../../shared/ipc/routes/documents';
import type { Core } from '../../app/create-core';
import { sourceLabel } from '../../documents/retrieval';
import { jsonResult } from './tool-result';
import type { ToolRunner } from './tool-runner';

/**
 * `search_documents`: snippets with citations from one collection.
 *
 * Local-only collections are searched too: an MCP client of Tandem is a tool
 * on this machine that the user connected (stdio, or the API port with a
 * key), not a cloud model, so the rule "local-only content never goes to a
 * cloud model" is for the client to keep. Every result says `localOnly`, and
 * so does the collection, so a client that forwards text to a cloud model
 * can leave those out.
 */
export function registerDocumentTools(server: McpServer, core: Core, run: ToolRunner): void {
  server.registerTool(
    'search_documents',
    {
      title: 'Search documents',
      description:
        'Searches one of Tandem’s document collections (by id or name; resources tandem://collections/… list them) and answers the best snippets with citations: path, page, heading, score. Results from local-only collections are marked localOnly: true — do not send them to cloud models.',
      inputSchema: {
        collection: z.string().min(1).max(200).describe('The collection’s id or name'),
        query: z.string().trim().min(1).max(2000),
        mode: SearchModeSchema.optional().describe('keyword (BM25), semantic (vectors) or hybrid (both); default: the app’s setting'),
        k: z.number().int().min(1).max(100).optional().describe('How many results (default 8)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run('search_documents', extra, async () => {
        const record = core.documents.find(input.collection);
        if (!record) {
          const names = (await core.documents.list()).map((c) => c.name);
          throw new CodedError('NOT_FOUND', `There is no collection "${input.collection}"${names.length ? ` (collections: ${names.join(', ')})` : ' (none is indexed yet)'}`);
        }
        const outcome = await core.documents.search({ collectionIds: [record.id], query: input.query, k: input.k ?? 8, mode: input.mode });
        const localOnly = record.sources.some((s) => s.localOnly);
        return jsonResult({
          collection: { id: record.id, name: record.name, localOnly },
          mode: outcome.mode,
          notice: outcome.notice,
          results: outcome.hits.map((hit, i) => ({
            n: i + 1,
            citation: sourceLabel(hit),
            path: hit.path,
            page: hit.page,
            heading: hit.headingPath.length > 0 ? hit.headingPath.join(' > ') : null,
            snippet: hit.snippet,
            text: hit.text,
            score: hit.score,
            localOnly: hit.localOnly,
          })),
        });
      }),
  );
}
