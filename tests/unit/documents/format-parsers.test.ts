import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { documentTypeForPath } from '../../../electron/core/documents/file-types';
import { parseFile } from '../../../electron/core/documents/parsers/parse-file';
import { splitMbox } from '../../../electron/core/documents/parsers/email-parser';
import { DocumentParseError, type ParsedDocument } from '../../../electron/core/documents/types';

const FIXTURES = join(import.meta.dirname, '../../fixtures/documents-formats');

async function parse(relative: string): Promise<ParsedDocument> {
  const path = join(FIXTURES, relative);
  const type = documentTypeForPath(path);
  if (!type) throw new Error(`no type for ${path}`);
  return parseFile({ path, sizeBytes: (await stat(path)).size, mtimeMs: 0, type });
}

/** The section whose text holds `needle`. */
function sectionWith(doc: ParsedDocument, needle: string) {
  const found = doc.sections.filter((s) => s.text.includes(needle));
  expect(found, needle).toHaveLength(1);
  return found[0]!;
}

describe('the formats people keep their knowledge in', () => {
  test('pptx: one section per slide in the deck’s order (not the files’), with notes, cited as "Slide N" under its title', async () => {
    const doc = await parse('good/quarterly-review.pptx');
    expect(doc.type).toBe('pptx');
    expect(doc.sections.map((s) => s.location)).toEqual(['Slide 1', 'Slide 2', 'Slide 3']);
    expect(doc.sections.map((s) => s.headingPath)).toEqual([['Quarterly review'], ['Hiring plan'], ['Roadmap']]);
    const notes = sectionWith(doc, 'referral bonus');
    expect(notes.location).toBe('Slide 2');
    expect(notes.text).toContain('Interview loop shortened');
    // The notes page's slide-number field is not text of the slide.
    expect(notes.text).not.toMatch(/Lisbon office\s*\n\s*2/);
    expect(sectionWith(doc, 'Sync engine').text).toContain('rewrite & migration');
  });

  test('xlsx: every sheet as runs of rows with the header row repeated, cited by sheet and rows', async () => {
    const doc = await parse('good/budget.xlsx');
    const budget = doc.sections.filter((s) => s.headingPath[0] === 'Budget');
    expect(budget.length).toBeGreaterThan(1);
    for (const section of budget) expect(section.text.split('\n')[0]).toBe('Item | Category | Amount | Approved');
    const chairs = sectionWith(doc, 'Ergonomic chairs');
    expect(chairs.text).toContain('Ergonomic chairs for the Porto studio | Hardware | 472.5 | FALSE');
    const [, first, last] = /^Sheet Budget, rows (\d+)–(\d+)$/.exec(chairs.location ?? '') ?? [];
    expect(Number(first)).toBeLessThanOrEqual(45);
    expect(Number(last)).toBeGreaterThanOrEqual(45);
    // Rows 2–61 are covered once, in order, with no gap.
    const spans = budget.map((s) => /rows (\d+)–(\d+)/.exec(s.location ?? '')!.slice(1).map(Number));
    expect(spans[0]![0]).toBe(2);
    expect(spans.at(-1)![1]).toBe(61);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBe(spans[i - 1]![1]! + 1);
    const notes = sectionWith(doc, 'Freeze hardware');
    expect(notes.location).toBe('Sheet Notes, row 4');
    expect(notes.text).toBe('Owner | Note\nDana | Freeze hardware purchases after October');
  });

  test('ods: tables with repeated rows counted (not expanded), cited by sheet and rows', async () => {
    const doc = await parse('good/inventory.ods');
    expect(doc.sections.map((s) => [s.location, s.text])).toEqual([
      ['Sheet Inventory, rows 2–5', 'Part | Shelf | Count\nHex bolts M6 | A3 | 240\nBrass hinges | C1 | 18'],
      ['Sheet Suppliers, row 2', 'Name | City\nFerragens Lda | Braga'],
    ]);
  });

  test('odt: headings become heading paths; spaces, lists and tables are text; the table of contents is left out', async () => {
    const doc = await parse('good/field-guide.odt');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([['Field guide'], ['Field guide', 'Installation'], ['Field guide', 'Calibration'], ['Appendix']]);
    expect(sectionWith(doc, 'tripod').text).toContain('Mount the tripod before unpacking the theodolite.\nLevel the base plate');
    expect(sectionWith(doc, 'Vertical index').text).toContain('Vertical index | 5 arc seconds');
    expect(doc.sections.filter((s) => s.text.includes('Installation 1'))).toEqual([]);
  });

  test('epub: the spine in reading order, linear="no" and the nav page skipped, cited as "Chapter N: title" from the table of contents', async () => {
    const doc = await parse('good/harbour-lights.epub');
    expect(doc.sections.map((s) => s.location)).toEqual(['Chapter 1: The Lighthouse Keeper', 'Chapter 2: Storm Season', 'Chapter 2: Storm Season']);
    expect(sectionWith(doc, 'breakwater').headingPath).toEqual(['Two', 'Morning']);
    expect(doc.sections.some((s) => s.text.includes('Harbour Lights'))).toBe(false);
  });

  test('eml and mbox: one section per message with subject, sender and date; HTML-only mail read as text; ">From " unescaped', async () => {
    const eml = await parse('good/kiln.eml');
    expect(eml.sections).toHaveLength(1);
    expect(eml.sections[0]!.location).toBe('Email: Kiln firing schedule — Ana Ribeiro, 2024-03-05 09:15');
    expect(eml.sections[0]!.text).toMatch(/^Subject: Kiln firing schedule\nFrom: .*ana@example\.org/);
    expect(eml.sections[0]!.text).toContain('glaze firing follows on Saturday at cone 6');

    const mbox = await parse('good/studio.mbox');
    expect(mbox.sections.map((s) => s.location)).toEqual(['Email: Clay order — Ana Ribeiro, 2024-03-05 09:15', 'Email: Studio newsletter — Bruno Costa, 2024-03-06 10:00']);
    expect(sectionWith(mbox, 'stoneware').text).toContain('\nFrom now on we buy from the Aveiro supplier.');
    expect(sectionWith(mbox, 'open studio day').text).toContain('March\n\nThe open studio day is on the 23rd.');
  });

  test('splitMbox splits only at envelope "From " lines after a blank line', () => {
    const box = Buffer.from('From a@x Mon Mar  4 10:00:00 2024\nSubject: one\n\nFrom the top.\n\nFrom b@x Tue Mar  5 11:30:00 2024\nSubject: two\n\n>From here.\n');
    expect(splitMbox(box)?.map((m) => m.toString().trim())).toEqual(['Subject: one\n\nFrom the top.', 'Subject: two\n\nFrom here.']);
    expect(splitMbox(Buffer.from('Subject: no envelope\n\nbody'))).toBeNull();
  });

  test.each([
    ['bad/truncated.pptx', 'CORRUPT', /PowerPoint file is damaged/],
    ['bad/not-a-zip.xlsx', 'CORRUPT', /Excel file is damaged or not a zip archive/],
    ['bad/no-package.epub', 'CORRUPT', /EPUB book is damaged: it has no META-INF\/container\.xml/],
    ['bad/not-mail.eml', 'PARSE_FAILED', /not an email message/],
  ])('%s is refused with %s and a sentence', async (file, code, reason) => {
    const error = await parse(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as DocumentParseError).code).toBe(code);
    expect((error as DocumentParseError).message).toMatch(reason);
    expect((error as DocumentParseError).message).not.toMatch(/https?:/);
  });

  test('the new extensions map to their types, and images only by extension', () => {
    expect(['a.PPTX', 'b.xlsx', 'c.ods', 'd.odt', 'e.epub', 'f.eml', 'g.mbox', 'h.png', 'i.JPG', 'j.tiff', 'k.tif'].map(documentTypeForPath)).toEqual([
      'pptx', 'xlsx', 'ods', 'odt', 'epub', 'email', 'email', 'image', 'image', 'image', 'image',
    ]);
  });
});
