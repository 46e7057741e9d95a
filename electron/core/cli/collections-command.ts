import { CodedError } from '../../../shared/ipc/errors';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

/** `tandem collections list` and `tandem collections rm NAME` (the index only; files are never touched). */
export async function runCollections(global: GlobalOptions, args: string[], options: { json: boolean }): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'list' && sub !== 'rm') {
    process.stderr.write('tandem collections: use `tandem collections list` or `tandem collections rm NAME`\n');
    return 2;
  }
  if (sub === 'rm' && rest.length !== 1) {
    process.stderr.write('tandem collections rm: give one collection name\n');
    return 2;
  }
  return withCliCore(global, `collections ${sub}`, async (core) => {
    if (sub === 'rm') {
      const record = core.documents.find(rest[0]!);
      if (!record) throw new CodedError('NOT_FOUND', `There is no collection named "${rest[0]}"`);
      await core.documents.remove(record.id);
      process.stdout.write(`Removed collection "${record.name}" (its index only; the files are untouched).\n`);
      return 0;
    }
    const collections = await core.documents.list();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(collections, null, 2)}\n`);
      return 0;
    }
    if (collections.length === 0) {
      process.stdout.write('No collections yet. Make one with `tandem index FOLDER`.\n');
      return 0;
    }
    const rows = [
      ['NAME', 'FILES', 'CHUNKS', 'FAILED', 'EMBEDDER', 'LAST INDEXED', 'SOURCES'],
      ...collections.map((c) => [
        c.name,
        String(c.files),
        String(c.chunks),
        String(c.failed),
        c.embedder?.modelId ?? '-',
        c.lastIndexedAt ?? 'never',
        c.sources.map((s) => `${s.path}${s.localOnly ? ' (local only)' : ''}`).join(', '),
      ]),
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    process.stdout.write(rows.map((row) => `${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`).join(''));
    return 0;
  });
}
