import { CodedError } from '../../../shared/ipc/errors';
import { SearchModeSchema, type SearchMode } from '../../../shared/ipc/routes/documents';
import { sourceLabel } from '../documents/retrieval';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface SearchCommandOptions {
  k?: string;
  mode?: string;
  json: boolean;
}

/** `tandem search COLLECTION "query" [--k N] [--mode keyword|semantic|hybrid] [--json]` */
export async function runSearch(global: GlobalOptions, args: string[], options: SearchCommandOptions): Promise<number> {
  const [collectionName, ...words] = args;
  const query = words.join(' ').trim();
  if (!collectionName || !query) {
    process.stderr.write('tandem search: give a collection and a query: `tandem search COLLECTION "query"`\n');
    return 2;
  }
  const k = options.k === undefined ? 10 : Number(options.k);
  if (!Number.isInteger(k) || k < 1 || k > 100) {
    process.stderr.write('tandem search: --k must be a whole number from 1 to 100\n');
    return 2;
  }
  let mode: SearchMode | undefined;
  if (options.mode !== undefined) {
    const parsed = SearchModeSchema.safeParse(options.mode);
    if (!parsed.success) {
      process.stderr.write('tandem search: --mode must be keyword, semantic or hybrid\n');
      return 2;
    }
    mode = parsed.data;
  }
  return withCliCore(global, 'search', async (core) => {
    const collection = core.documents.find(collectionName);
    if (!collection) throw new CodedError('NOT_FOUND', `There is no collection named "${collectionName}" (see \`tandem collections list\`)`);
    const result = await core.documents.search({ collectionIds: [collection.id], query, k, mode });
    if (result.notice) process.stderr.write(`${result.notice}\n`);
    if (options.json) {
      const rows = result.hits.map((h) => ({ path: h.path, page: h.page, heading: h.headingPath.length > 0 ? h.headingPath.join(' > ') : null, snippet: h.snippet, score: h.score }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (result.hits.length === 0) {
      process.stdout.write('No results.\n');
      return 0;
    }
    result.hits.forEach((hit, i) => {
      process.stdout.write(`${i + 1}. ${sourceLabel(hit)}  (${hit.score.toFixed(3)})\n   ${hit.path}\n   ${hit.snippet}\n`);
    });
    return 0;
  });
}
