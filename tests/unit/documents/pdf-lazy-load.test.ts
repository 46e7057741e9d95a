import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parseFile } from '../../../electron/core/documents/parsers/parse-file';
import { writePdf } from '../../fixtures/documents/pdf-writer';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

// pdf.js announces itself as globalThis.pdfjsLib when it loads; this file runs in its own module graph.
test('pdf.js is loaded by the first PDF, not by importing the parsers or parsing other files', async () => {
  const dir = await temp.make('tandem-lazy-');
  await writeFile(join(dir, 'a.md'), '# Notes\n\nText.');
  await writePdf(join(dir, 'b.pdf'), [['PDF text']]);
  const loaded = () => 'pdfjsLib' in globalThis;

  await parseFile({ path: join(dir, 'a.md'), type: 'markdown', sizeBytes: 15, mtimeMs: 0 });
  expect(loaded()).toBe(false);
  const doc = await parseFile({ path: join(dir, 'b.pdf'), type: 'pdf', sizeBytes: 1, mtimeMs: 0 });
  expect(doc.sections[0]?.text).toBe('PDF text');
  expect(loaded()).toBe(true);
});
