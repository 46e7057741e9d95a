import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chunkDocument, estimateTokens } from '../../../electron/core/documents/chunker';
import { buildDocument, documentText } from '../../../electron/core/documents/parsers/sections';
import type { Chunk, ChunkOptions, ParsedDocument } from '../../../electron/core/documents/types';

/** A tokenizer that counts words and punctuation marks, so a test can reason about counts. */
const countWords = (text: string) => (text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []).length;
const words = (count: number, prefix = 'w') => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(' ');

function expectValid(doc: ParsedDocument, chunks: Chunk[], options: ChunkOptions): void {
  const whole = documentText(doc);
  chunks.forEach((chunk, index) => {
    expect(chunk.ordinal).toBe(index);
    expect(whole.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
    expect(chunk.text.trim()).toBe(chunk.text);
    expect(chunk.text.length).toBeGreaterThan(0);
    expect(options.countTokens(chunk.text)).toBeLessThanOrEqual(options.maxTokens);
    const section = doc.sections.find((s) => chunk.charStart >= s.charStart && chunk.charEnd <= s.charStart + s.text.length);
    expect(section, `chunk ${index} lies inside one section`).toBeDefined();
    expect(chunk.page).toBe(section?.page);
    expect(chunk.headingPath).toEqual(section?.headingPath);
  });
}

/** Every non-space character of every section is in some chunk: nothing is lost. */
function expectNothingLost(doc: ParsedDocument, chunks: Chunk[]): void {
  const whole = documentText(doc);
  const covered = new Uint8Array(whole.length);
  for (const chunk of chunks) covered.fill(1, chunk.charStart, chunk.charEnd);
  for (const section of doc.sections) {
    for (let i = section.charStart; i < section.charStart + section.text.length; i++) {
      if (!/\s/.test(whole[i] ?? '')) expect(covered[i], `character ${i} (${JSON.stringify(whole.slice(i - 5, i + 5))}) is in a chunk`).toBe(1);
    }
  }
}

describe('chunkDocument', () => {
  test('never puts text from two pages in one chunk, even when both pages are tiny', () => {
    const doc = buildDocument('pdf', [
      { page: 1, headingPath: [], text: 'Short page one.' },
      { page: 2, headingPath: [], text: 'Short page two.' },
      { page: 3, headingPath: [], text: 'The Zanzibar protocol uses port 7431.' },
    ]);
    const chunks = chunkDocument(doc, { countTokens: estimateTokens, maxTokens: 500, overlapTokens: 50 });
    expect(chunks.map((chunk) => [chunk.page, chunk.text])).toEqual([
      [1, 'Short page one.'],
      [2, 'Short page two.'],
      [3, 'The Zanzibar protocol uses port 7431.'],
    ]);
    expect(chunks[2]?.charStart).toBe(documentText(doc).indexOf('The Zanzibar'));
  });

  test('a long section is split to fit maxTokens, at paragraph breaks first', () => {
    const paragraphs = [words(30, 'a'), words(30, 'b'), words(30, 'c'), words(30, 'd')];
    const doc = buildDocument('markdown', [{ page: null, headingPath: ['Guide'], text: paragraphs.join('\n\n') }]);
    const options = { countTokens: countWords, maxTokens: 70, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectValid(doc, chunks, options);
    expect(chunks.map((chunk) => chunk.text)).toEqual([`${paragraphs[0]}\n\n${paragraphs[1]}`, `${paragraphs[2]}\n\n${paragraphs[3]}`]);
  });

  test('a long paragraph is cut at sentence ends, then between words', () => {
    const sentences = Array.from({ length: 8 }, (_, i) => `Sentence ${i} ${words(8, `s${i}x`)}.`);
    const doc = buildDocument('text', [{ page: null, headingPath: [], text: sentences.join(' ') }]);
    const options = { countTokens: countWords, maxTokens: 25, overlapTokens: 0 };
    const chunks = chunkDocument(doc, options);
    expectValid(doc, chunks, options);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.endsWith('.')).toBe(true);

    const oneRun = buildDocument('text', [{ page: null, headingPath: [], text: words(100) }]);
    const runChunks = chunkDocument(oneRun, { countTokens: countWords, maxTokens: 10, overlapTokens: 0 });
    // Chunks come close to the limit: at most one more chunk than a perfect packing.
    expect(runChunks.length).toBeGreaterThanOrEqual(10);
    expect(runChunks.length).toBeLessThanOrEqual(11);
    expect(runChunks.every((chunk) => /^(w\d+ ?)+$/.test(chunk.text))).toBe(true);
  });

  test('consecutive chunks of one section overlap by about overlapTokens; chunks of different sections do not', () => {
    const doc = buildDocument('markdown', [
      { page: null, headingPath: ['A'], text: words(200, 'a') },
      { page: null, headingPath: ['B'], text: words(200, 'b') },
    ]);
    const options = { countTokens: countWords, maxTokens: 50, overlapTokens: 10 };
    const chunks = chunkDocument(doc, options);
    expectValid(doc, chunks, options);
    expectNothingLost(doc, chunks);
    for (let i = 1; i < chunks.length; i++) {
      const [previous, current] = [chunks[i - 1], chunks[i]] as [Chunk, Chunk];
      if (previous.headingPath[0] !== current.headingPath[0]) {
        expect(current.charStart).toBeGreaterThanOrEqual(previous.charEnd);
        continue;
      }
      const shared = countWords(documentText(doc).slice(current.charStart, previous.charEnd));
      expect(shared).toBeGreaterThanOrEqual(5);
      expect(shared).toBeLessThanOrEqual(10);
    }
    expect(chunks.some((chunk) => chunk.headingPath[0] === 'B' && chunk.text.includes('a1'))).toBe(false);
  });

  test('the content hash tells equal text at two places apart and is stable', () => {
    const doc = buildDocument('pdf', [
      { page: 1, headingPath: [], text: 'Confidential' },
      { page: 2, headingPath: [], text: 'Confidential' },
    ]);
    const options = { countTokens: estimateTokens, maxTokens: 100, overlapTokens: 0 };
    const [first, second] = chunkDocument(doc, options);
    expect(first?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first?.contentHash).not.toBe(second?.contentHash);
    expect(chunkDocument(doc, options)[0]?.contentHash).toBe(first?.contentHash);
  });

  test('a section\'s location and OCR flag go with every chunk cut from it; equal text on two slides stays two chunks', () => {
    const doc = buildDocument('pptx', [
      { page: null, headingPath: [], text: `Roadmap. ${words(30)}`, location: 'Slide 4', ocr: true },
      { page: null, headingPath: [], text: `Roadmap. ${words(30)}`, location: 'Slide 5' },
      { page: null, headingPath: ['Notes'], text: 'No place' },
    ]);
    const options = { countTokens: countWords, maxTokens: 12, overlapTokens: 2 };
    const chunks = chunkDocument(doc, options);
    expectValid(doc, chunks, options);
    const slide4 = chunks.filter((c) => c.location === 'Slide 4');
    expect(slide4.length).toBeGreaterThan(1);
    expect(slide4.every((c) => c.ocr)).toBe(true);
    expect(chunks.filter((c) => c.location === 'Slide 5').every((c) => !c.ocr)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ location: null, ocr: false, headingPath: ['Notes'] });
    const first4 = slide4[0]!;
    const first5 = chunks.find((c) => c.location === 'Slide 5')!;
    expect(first4.text).toBe(first5.text);
    expect(first4.contentHash).not.toBe(first5.contentHash);
  });

  test('estimateTokens is about one token per four characters', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('a'.repeat(4000))).toBe(1000);
  });

  test('property: offsets are exact, chunks fit, stay in one section, and lose no text', () => {
    const piece = fc.oneof(
      fc.constantFrom('alpha', 'beta', 'Gamma', 'délta', '日本語', '🙂x', 'a-very-long-unbroken-token-without-spaces-at-all'),
      fc.constantFrom(' ', ' ', '. ', '! ', '\n', '\n\n', '\n \n', '\t'),
      fc.string({ maxLength: 12 }),
    );
    const sectionText = fc.array(piece, { maxLength: 120 }).map((parts) => parts.join(''));
    const section = fc.record({
      page: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
      headingPath: fc.array(fc.constantFrom('Intro', 'Setup', 'FAQ'), { maxLength: 3 }),
      text: sectionText,
    });
    fc.assert(
      fc.property(
        fc.array(section, { maxLength: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        (drafts, maxTokens, overlapTokens, byWords) => {
          const doc = buildDocument('markdown', drafts);
          const options = { countTokens: byWords ? countWords : estimateTokens, maxTokens, overlapTokens };
          const chunks = chunkDocument(doc, options);
          expectValid(doc, chunks, options);
          expectNothingLost(doc, chunks);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('chunks 1,000 documents of 2 KB quickly, calling the tokenizer a few times per chunk', () => {
    let calls = 0;
    const counting = (text: string) => {
      calls++;
      return countWords(text);
    };
    const doc = buildDocument('markdown', [{ page: null, headingPath: [], text: Array.from({ length: 20 }, (_, i) => `Para ${i}. ${words(40)}.`).join('\n\n') }]);
    const started = performance.now();
    let total = 0;
    for (let i = 0; i < 1000; i++) total += chunkDocument(doc, { countTokens: counting, maxTokens: 128, overlapTokens: 16 }).length;
    const elapsed = performance.now() - started;
    expect(calls / total).toBeLessThan(4);
    expect(elapsed).toBeLessThan(5000);
  });
});
