import { createHash } from 'node:crypto';
import type { Chunk, ChunkOptions, ParsedDocument, ParsedSection } from './types';

/** Characters of a section sampled to learn its characters-per-token ratio. */
const RATIO_SAMPLE_CHARS = 16_000;

/** A token count for when there is no tokenizer: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Splits a parsed document into chunks of at most `maxTokens` tokens. A chunk
 * never crosses a section (so never spans two pages or two headings); a long
 * section is cut at a paragraph break if it can, else at a sentence end, else
 * between words, and consecutive chunks of one section share about
 * `overlapTokens` tokens. Every chunk's text is exactly
 * `documentText.slice(charStart, charEnd)`.
 */
export function chunkDocument(doc: ParsedDocument, options: ChunkOptions): Chunk[] {
  if (!(options.maxTokens >= 1)) throw new RangeError('maxTokens must be at least 1');
  const chunks: Chunk[] = [];
  for (const section of doc.sections) {
    for (const [start, end] of splitSection(section.text, options)) {
      const text = section.text.slice(start, end);
      chunks.push({
        ordinal: chunks.length,
        text,
        page: section.page,
        headingPath: [...section.headingPath],
        location: section.location ?? null,
        ocr: section.ocr ?? false,
        charStart: section.charStart + start,
        charEnd: section.charStart + end,
        contentHash: chunkHash(section, text),
      });
    }
  }
  return chunks;
}

function chunkHash(section: ParsedSection, text: string): string {
  return createHash('sha256').update(`${section.page}|${section.headingPath.join('>')}|${section.location ? `${section.location}|` : ''}${text}`).digest('hex');
}

/** [start, end) spans of `text`, each trimmed of surrounding whitespace and within the token limit. */
function splitSection(text: string, options: ChunkOptions): [number, number][] {
  const { countTokens, maxTokens } = options;
  const spans: [number, number][] = [];
  let start = skipSpace(text, 0);
  if (start >= text.length) return spans;
  const whole = text.length - start <= maxTokens * 8 ? countTokens(text.slice(start)) : Number.POSITIVE_INFINITY;
  if (whole <= maxTokens) return [[start, trimEnd(text, start, text.length)]];

  // Learn the characters-per-token ratio once per section, then only verify each candidate chunk.
  const sampleTokens = Number.isFinite(whole) ? whole : countTokens(text.slice(start, start + RATIO_SAMPLE_CHARS));
  const sampleChars = Number.isFinite(whole) ? text.length - start : Math.min(RATIO_SAMPLE_CHARS, text.length - start);
  const charsPerToken = Math.max(0.5, sampleChars / Math.max(1, sampleTokens));
  const overlapTokens = Math.max(0, Math.min(options.overlapTokens, Math.floor(maxTokens / 2)));

  while (start < text.length) {
    let length = Math.max(1, Math.floor(maxTokens * charsPerToken));
    let end = start;
    for (;;) {
      end = start + length >= text.length ? trimEnd(text, start, text.length) : breakBefore(text, start, start + length);
      const tokens = countTokens(text.slice(start, end));
      if (tokens <= maxTokens || end - start <= 1) break;
      length = Math.max(1, Math.min(end - start - 1, Math.floor(((end - start) * maxTokens * 0.95) / tokens)));
    }
    spans.push([start, end]);
    if (end >= trimEnd(text, start, text.length)) break;
    let next = end;
    if (overlapTokens > 0) next = overlapStart(text, start, end, overlapTokens, charsPerToken, countTokens);
    start = skipSpace(text, next);
  }
  return spans;
}

/** Where a chunk may end, best first. */
const BOUNDARIES = [
  { pattern: /\n[ \t]*\n/g, cutAfter: false },
  { pattern: /[.!?…。][)"'’”\]]*\s/g, cutAfter: true },
  { pattern: /\s/g, cutAfter: false },
] as const;

/**
 * The best place to end a chunk that starts at `start` and may reach `limit`:
 * the last paragraph break, else sentence end, else space, in the later half
 * of the span; a hard cut (never inside a surrogate pair) when there is none.
 */
function breakBefore(text: string, start: number, limit: number): number {
  const floor = start + Math.floor((limit - start) / 2);
  const window = text.slice(floor, limit + 1);
  for (const { pattern, cutAfter } of BOUNDARIES) {
    let last = -1;
    for (const match of window.matchAll(pattern)) {
      // A sentence ends after its punctuation; a paragraph or word break cuts before the space.
      const cut = floor + match.index + (cutAfter ? match[0].length - 1 : 0);
      if (cut <= limit && cut > start) last = cut;
    }
    if (last > start) {
      const end = trimEnd(text, start, last);
      if (end > start) return end;
    }
  }
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff && limit - 1 > start ? limit - 1 : limit;
}

/** Where the next chunk starts so that it repeats about `overlapTokens` tokens (whole words) of the chunk before. */
function overlapStart(text: string, start: number, end: number, overlapTokens: number, charsPerToken: number, countTokens: (text: string) => number): number {
  let overlapChars = Math.min(Math.floor(overlapTokens * charsPerToken), Math.floor((end - start) / 2));
  for (let attempt = 0; attempt < 4 && overlapChars > 0; attempt++) {
    const wordStart = nextWordStart(text, end - overlapChars, end);
    if (wordStart <= start || wordStart >= end) return end;
    const tokens = countTokens(text.slice(wordStart, end));
    if (tokens <= overlapTokens) return wordStart;
    overlapChars = Math.floor((overlapChars * overlapTokens * 0.9) / tokens);
  }
  return end;
}

function nextWordStart(text: string, from: number, end: number): number {
  let index = Math.max(0, from);
  if (index > 0 && !/\s/.test(text[index - 1] ?? '')) {
    while (index < end && !/\s/.test(text[index] ?? '')) index++;
  }
  return skipSpace(text, index);
}

function skipSpace(text: string, from: number): number {
  let index = from;
  while (index < text.length && /\s/.test(text[index] ?? '')) index++;
  return index;
}

function trimEnd(text: string, start: number, end: number): number {
  let index = end;
  while (index > start && /\s/.test(text[index - 1] ?? '')) index--;
  return index;
}
