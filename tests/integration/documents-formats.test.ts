import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TempDirs } from '../support/temp-dir';
import { openDocs, type DocsHarness } from './documents-harness';

/**
 * A folder of the newer formats (pptx, xlsx, ods, odt, epub, eml, mbox), a
 * scanned PDF and a photo of a sign, with four broken files among them,
 * indexed by the real pipeline (keyword only: no embedding model), with OCR.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/documents-formats');
const temp = new TempDirs();
let docs: DocsHarness;
let folder: string;
let collectionId: string;

beforeAll(async () => {
  const root = await temp.make('tandem-docs-formats-');
  folder = join(root, 'knowledge');
  await mkdir(folder);
  for (const sub of ['good', 'bad', 'ocr']) {
    for (const name of await readdir(join(FIXTURES, sub))) await copyFile(join(FIXTURES, sub, name), join(folder, name));
  }
  docs = await openDocs({ dataDir: join(root, 'data') });
  collectionId = (await docs.service.add({ name: 'Knowledge', paths: [folder] })).id;
  await docs.service.waitForIdle(collectionId);
}, 120_000);

afterAll(async () => {
  await docs?.dispose();
  await temp.removeAll();
});

describe('indexing the formats people keep their knowledge in', () => {
  test('every good file is indexed; the broken ones are reported with their codes and skipped', async () => {
    const job = docs.service.job(collectionId)!;
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const inventory = await docs.service.inventory(collectionId);
    const indexed = inventory.filter((f) => !f.error).map((f) => f.path.slice(folder.length + 1)).sort();
    expect(indexed).toEqual([
      'budget.xlsx', 'field-guide.odt', 'harbour-lights.epub', 'inventory.ods', 'kiln.eml', 'opening-hours.png', 'quarterly-review.pptx', 'scanned-memo.pdf', 'studio.mbox',
    ]);
    const failures = Object.fromEntries(job.failures.map((f) => [f.path.slice(folder.length + 1), f.code]));
    expect(failures).toEqual({ 'truncated.pptx': 'CORRUPT', 'not-a-zip.xlsx': 'CORRUPT', 'no-package.epub': 'CORRUPT', 'not-mail.eml': 'PARSE_FAILED' });
    for (const failure of job.failures) expect(failure.reason).toMatch(/^[A-Z].{15,}/);
    expect(inventory.find((f) => f.path.endsWith('quarterly-review.pptx'))?.type).toBe('pptx');
  });

  test('keyword search finds slide notes, spreadsheet rows, e-book and mail text', async () => {
    const find = async (query: string) => (await docs.service.search({ collectionIds: [collectionId], query, k: 3, mode: 'keyword' })).hits;
    const slide = (await find('referral bonus Lisbon'))[0];
    expect(slide?.path).toBe(join(folder, 'quarterly-review.pptx'));
    expect(slide?.location).toBe('Slide 2');
    const chairs = (await find('ergonomic chairs Porto'))[0];
    expect(chairs?.path).toBe(join(folder, 'budget.xlsx'));
    expect(chairs?.location).toMatch(/^Sheet Budget, rows \d+–\d+$/);
    expect(chairs?.text).toMatch(/^Item \| Category \| Amount \| Approved\n/);
    expect((await find('breakwater foam'))[0]).toMatchObject({ path: join(folder, 'harbour-lights.epub'), location: 'Chapter 2: Storm Season' });
    expect((await find('stoneware clay'))[0]?.path).toBe(join(folder, 'studio.mbox'));
    expect((await find('theodolite'))[0]?.headingPath).toEqual(['Field guide', 'Installation']);
  });

  test('OCR reads the scanned page (cited on page 2, marked OCR) and the image; progress said "OCR page 1 of 1"', async () => {
    const knot = (await docs.service.search({ collectionIds: [collectionId], query: 'reef knot ropes', k: 3, mode: 'keyword' })).hits[0];
    expect(knot?.path).toBe(join(folder, 'scanned-memo.pdf'));
    expect(knot?.page).toBe(2);
    expect(knot?.ocr).toBe(true);
    const hours = (await docs.service.search({ collectionIds: [collectionId], query: 'harbour office opening hours', k: 3, mode: 'keyword' })).hits[0];
    expect(hours?.path).toBe(join(folder, 'opening-hours.png'));
    expect(hours?.text).toMatch(/Monday to Friday/);
    expect(hours?.ocr).toBe(true);
    const typed = (await docs.service.search({ collectionIds: [collectionId], query: 'Porto', k: 3, mode: 'keyword' })).hits[0];
    expect(typed?.ocr).toBeUndefined();

    const view = await docs.service.viewDocument(collectionId, join(folder, 'scanned-memo.pdf'));
    expect(view.sections.map((s) => [s.page, s.ocr ?? false])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(view.sections[1]?.text).toMatch(/reef knot joins two ropes/i);
    const details = docs.progress.filter((p) => p.collectionId === collectionId).map((p) => p.detail);
    expect(details).toContain('OCR page 1 of 1');
    expect(docs.progress.at(-1)?.detail ?? null).toBeNull();
  });

  test('the viewer carries each section’s citation: slide, sheet rows, chapter, message', async () => {
    const locations = async (name: string) => (await docs.service.viewDocument(collectionId, join(folder, name))).sections.map((s) => s.location);
    expect(await locations('quarterly-review.pptx')).toEqual(['Slide 1', 'Slide 2', 'Slide 3']);
    expect((await locations('budget.xlsx')).at(-1)).toBe('Sheet Notes, row 4');
    expect(await locations('harbour-lights.epub')).toContain('Chapter 2: Storm Season');
    expect(await locations('kiln.eml')).toEqual(['Email: Kiln firing schedule — Ana Ribeiro, 2024-03-05 09:15']);
  });

  test('with OCR turned off, images are passed over and a scanned page is not read', async () => {
    docs.settings.ocr = { enabled: false, languages: ['eng'] };
    try {
      const other = await docs.service.add({ name: 'No OCR', paths: [join(folder, 'opening-hours.png'), join(folder, 'scanned-memo.pdf')] });
      await docs.service.waitForIdle(other.id);
      const job = docs.service.job(other.id)!;
      expect(job.failures.map((f) => [f.path.slice(folder.length + 1), f.code])).toEqual([['opening-hours.png', 'UNSUPPORTED']]);
      expect(job.failures[0]?.reason).toMatch(/OCR.*turned off/);
      const view = await docs.service.viewDocument(other.id, join(folder, 'scanned-memo.pdf'));
      expect(view.sections.map((s) => s.page)).toEqual([1]);
    } finally {
      docs.settings.ocr = { enabled: true, languages: ['eng'] };
    }
  });
});
