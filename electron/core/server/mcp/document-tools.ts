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
 * MCP clients usually forward tool results to cloud models, so text from
 * local-only sources never leaves through this tool: those hits come back as
 * citations only (path, page, heading, score, localOnly: true) without their
 * text, and the result says how many were withheld and why. The user can
 * still open the cited files in Tandem.
 */
export function registerDocumentTools(server: McpServer, core: Core, run: ToolRunner): void {
  server.registerTool(
    'search_documents',
    {
      title: 'Search documents',
      description:
        'Searches one of Tandem’s document collections (by id or name; resources tandem://collections/… list them) and answers the best snippets with citations: path, page, heading, score. Hits from local-only sources are answered as citations only (localOnly: true, no text): their content never leaves Tandem through MCP.',
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
        let withheld = 0;
        const results = outcome.hits.map((hit, i) => {
          const citation = {
            n: i + 1,
            citation: sourceLabel(hit),
            path: hit.path,
            page: hit.page,
            heading: hit.headingPath.length > 0 ? hit.headingPath.join(' > ') : null,
            score: hit.score,
            localOnly: hit.localOnly,
          };
          if (!hit.localOnly) return { ...citation, snippet: hit.snippet, text: hit.text };
          withheld++;
          return citation;
        });
        return jsonResult({
          collection: { id: record.id, name: record.name, localOnly },
          mode: outcome.mode,
          notice: outcome.notice,
          results,
          ...(withheld > 0
            ? {
                withheld: {
                  count: withheld,
                  reason: `${withheld} result(s) come from local-only sources: their text is not sent over MCP (clients usually pass tool results to cloud models); they are listed as citations only`,
                },
              }
            : {}),
        });
      }),
  );
}
