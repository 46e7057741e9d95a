/**
 * Synthetic chunk rows for the search benchmark: text from a Zipf-distributed
 * vocabulary of made-up words (so BM25 has realistic posting lists) and
 * random unit vectors of the embedder's width. Deterministic.
 */
import type { ChunkRow } from '../../electron/core/documents/index-store';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'qua', 'dre', 'pin', 'tor', 'gal', 'mer', 'sel', 'bru', 'fen', 'lix', 'dor', 'wen'];

export class Vocabulary {
  readonly words: string[];
  private readonly cumulative: Float64Array;

  constructor(size: number, seed = 3) {
    const random = mulberry32(seed);
    const seen = new Set<string>();
    while (seen.size < size) {
      const n = 2 + Math.floor(random() * 3);
      seen.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(''));
    }
    this.words = [...seen];
    // Zipf, s = 1
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let i = 0; i < size; i++) this.cumulative[i] = total += 1 / (i + 1);
    for (let i = 0; i < size; i++) this.cumulative[i]! /= total;
  }

  pick(random: () => number): string {
    const x = random();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }
}

export function randomUnitVector(random: () => number, dimensions: number): number[] {
  const v = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** Rows `from` .. `from + count - 1`: ~10 chunks a file, 80..200 words each. */
export function syntheticRows(vocabulary: Vocabulary, from: number, count: number, dimensions: number, seed = 11): ChunkRow[] {
  const rows: ChunkRow[] = [];
  for (let i = from; i < from + count; i++) {
    const random = mulberry32(seed * 1_000_003 + i);
    const words = Array.from({ length: 80 + Math.floor(random() * 120) }, () => vocabulary.pick(random));
    const text = words.join(' ');
    const file = Math.floor(i / 10);
    const hash = i.toString(16).padStart(16, '0');
    rows.push({
      id: `c${i}`,
      path: `/bench/corpus/f${String(Math.floor(file / 100)).padStart(4, '0')}/doc-${file}.md`,
      type: 'markdown',
      page: 0,
      headingPath: [`Doc ${file}`],
      ordinal: i % 10,
      text,
      charStart: 0,
      charEnd: text.length,
      contentHash: hash,
      fileHash: hash,
      localOnly: false,
      vector: randomUnitVector(random, dimensions),
    });
  }
  return rows;
}

/** Queries of 1..4 words, drawn from the middle of the vocabulary (not only stop-word-like heads). */
export function syntheticQueries(vocabulary: Vocabulary, count: number, seed = 21): string[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(random() * 4);
    return Array.from({ length: n }, () => vocabulary.words[5 + Math.floor(random() * Math.min(2000, vocabulary.words.length - 5))]).join(' ');
  });
}
