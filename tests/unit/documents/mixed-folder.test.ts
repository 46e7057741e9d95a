import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { chunkDocument, estimateTokens } from '../../../electron/core/documents/chunker';
import { parseFile } from '../../../electron/core/documents/parsers/parse-file';
import { scanSource } from '../../../electron/core/documents/scanner';
import { DocumentParseError, type Chunk } from '../../../electron/core/documents/types';
import type { IndexFailure } from '../../../shared/ipc/routes/documents';
import { writeCorpus, writeMixedFolder } from '../../fixtures/documents/corpus';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

describe('a mixed folder, scanned, parsed and chunked', () => {
  test('every good file yields chunks, every bad file is reported with its code, and the PDF fact sits on page 3', async () => {
    const dir = await temp.make('tandem-mixed-');
    const manifest = await writeMixedFolder(dir, { maxFileBytes: 64 * 1024, largeFileBytes: 128 * 1024 });
    const scan = await scanSource({ path: dir, kind: 'folder' }, { ignore: [], maxFileBytes: manifest.maxFileBytes });
    const failures: IndexFailure[] = [...scan.failures];
    const chunksByPath = new Map<string, Chunk[]>();
    for (const file of scan.files) {
      try {
        const doc = await parseFile(file);
        chunksByPath.set(file.path, chunkDocument(doc, { countTokens: estimateTokens, maxTokens: 64, overlapTokens: 8 }));
      } catch (error) {
        if (!(error instanceof DocumentParseError)) throw error;
        failures.push({ path: file.path, code: error.code, reason: error.message });
      }
    }
    expect([...chunksByPath.keys()].sort()).toEqual([...manifest.good].sort());
    for (const path of manifest.good) expect(chunksByPath.get(path)?.length, path).toBeGreaterThan(0);
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(failures.map(({ path, code }) => ({ path, code })).sort(byPath)).toEqual([...manifest.bad].sort(byPath));

    const factChunks = (chunksByPath.get(manifest.fact.path) ?? []).filter((chunk) => chunk.text.includes('7431'));
    expect(factChunks.map((chunk) => chunk.page)).toEqual([manifest.fact.page]);
    expect(factChunks[0]?.text).toContain(manifest.fact.text);
  });
});

describe('writeCorpus', () => {
  test('writes the asked number of files, mostly Markdown with some PDF and docx, all of which parse', async () => {
    const dir = await temp.make('tandem-corpus-');
    const paths = await writeCorpus(dir, { files: 120, seed: 7 });
    expect(paths).toHaveLength(120);
    const counts = { '.md': 0, '.pdf': 0, '.docx': 0 } as Record<string, number>;
    for (const path of paths) counts[extname(path)] = (counts[extname(path)] ?? 0) + 1;
    expect(counts['.md']).toBeGreaterThan(60);
    expect(counts['.pdf']).toBeGreaterThan(5);
    expect(counts['.docx']).toBeGreaterThan(5);
    const scan = await scanSource({ path: dir, kind: 'folder' }, { ignore: [], maxFileBytes: 1024 * 1024 });
    expect(scan.failures).toEqual([]);
    expect(scan.files).toHaveLength(120);
    for (const file of scan.files.filter((_, index) => index % 6 === 0)) {
      const doc = await parseFile(file);
      const text = doc.sections.map((section) => section.text).join(' ');
      expect(text.length, file.path).toBeGreaterThan(700);
      if (file.type === 'pdf') expect(doc.sections.length).toBeGreaterThanOrEqual(2);
    }
    const again = await temp.make('tandem-corpus-');
    await writeCorpus(again, { files: 120, seed: 7 });
    const first = join(dir, 'part-000');
    const names = await readdir(first);
    for (const name of names.slice(0, 10)) {
      expect((await stat(join(again, 'part-000', name))).size).toBe((await stat(join(first, name))).size);
    }
  });
});
