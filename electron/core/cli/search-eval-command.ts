import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import { SearchModeSchema, type SearchMode } from '../../../shared/ipc/routes/documents';
import { formatEvalReport, parseEvalSet, runSearchEval } from '../documents/search-eval';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface SearchEvalCommandOptions {
  collection?: string;
  k?: string;
  mode?: string;
  json: boolean;
}

const ALL_MODES: readonly SearchMode[] = ['keyword', 'semantic', 'hybrid'];

/**
 * `tandem search eval QA.jsonl [--collection C] [--k N] [--mode M] [--json]`:
 * hit@1, hit@3, hit@10 and MRR per mode over a QA set (`{"q", "file", "pages"}`
 * per line), with the misses. Without --collection every collection is searched.
 */
export async function runSearchEvalCommand(global: GlobalOptions, args: string[], options: SearchEvalCommandOptions): Promise<number> {
  const [file, ...extra] = args;
  if (!file || extra.length > 0) {
    process.stderr.write('tandem search eval: give one QA file: `tandem search eval QA.jsonl [--collection C] [--k N] [--mode M] [--json]`\n');
    return 2;
  }
  const k = options.k === undefined ? 10 : Number(options.k);
  if (!Number.isInteger(k) || k < 1 || k > 100) {
    process.stderr.write('tandem search eval: --k must be a whole number from 1 to 100\n');
    return 2;
  }
  let modes = ALL_MODES;
  if (options.mode !== undefined) {
    const parsed = SearchModeSchema.safeParse(options.mode);
    if (!parsed.success) {
      process.stderr.write('tandem search eval: --mode must be keyword, semantic or hybrid\n');
      return 2;
    }
    modes = [parsed.data];
  }
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (error) {
    process.stderr.write(`tandem search eval: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    return 1;
  }
  const { questions, bad } = parseEvalSet(text, basename(file));
  if (questions.length === 0) {
    for (const b of bad) process.stderr.write(`${b.file}:${b.line}: skipped: ${b.reason}\n`);
    process.stderr.write(`tandem search eval: ${file} has no questions (want {"q": "...", "file": "NAME.pdf", "pages": [12]} per line)\n`);
    return 1;
  }
  return withCliCore(global, 'search eval', async (core) => {
    let collectionIds: string[];
    if (options.collection !== undefined) {
      const collection = core.documents.find(options.collection);
      if (!collection) throw new CodedError('NOT_FOUND', `There is no collection named "${options.collection}" (see \`tandem collections list\`)`);
      collectionIds = [collection.id];
    } else {
      collectionIds = (await core.documents.list()).map((c) => c.id).slice(0, 32);
      if (collectionIds.length === 0) throw new CodedError('NOT_FOUND', 'There are no collections yet: index the documents first (`tandem index FOLDER`)');
    }
    const results = await runSearchEval(questions, {
      modes,
      k,
      search: (query, mode, depth) => core.documents.search({ collectionIds, query, k: depth, mode }),
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ file: basename(file), k, bad, modes: results }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(formatEvalReport(results, bad));
    return 0;
  });
}
