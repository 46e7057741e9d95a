/**
 * A prompt as a sparse, L2-normalised TF-IDF vector over hashed word
 * unigrams and bigrams: the lexical representation the quality model uses
 * when no embedding model is available. Hashing keeps memory flat (no
 * vocabulary to grow) and makes a vector a pure function of the text and the
 * document frequencies seen so far.
 */
export interface SparseVector {
  /** Feature ids, ascending. */
  ids: Uint32Array;
  values: Float32Array;
}

const HASH_BITS = 20;
const HASH_MASK = (1 << HASH_BITS) - 1;
const MAX_TOKENS = 4000;

/** FNV-1a over a string, masked to the feature space. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & HASH_MASK;
}

/** Lower-cased word and number tokens; punctuation that matters in code and math kept as tokens. */
export function tokenize(text: string): string[] {
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}_]+|[{}()[\];=<>+\-*/%^&|!?:#@$]/gu) ?? [];
  return tokens.length > MAX_TOKENS ? tokens.slice(-MAX_TOKENS) : tokens;
}

/** Term counts of a text: hashed unigrams and bigrams. */
export function termCounts(text: string): Map<number, number> {
  const tokens = tokenize(text);
  const counts = new Map<number, number>();
  for (let i = 0; i < tokens.length; i++) {
    const uni = hash(tokens[i]!);
    counts.set(uni, (counts.get(uni) ?? 0) + 1);
    if (i > 0) {
      const bi = hash(`${tokens[i - 1]} ${tokens[i]}`);
      counts.set(bi, (counts.get(bi) ?? 0) + 1);
    }
  }
  return counts;
}

/** Document frequencies, updated as prompts are learned; they turn term counts into TF-IDF vectors. */
export class DocumentFrequencies {
  private readonly df = new Map<number, number>();
  documents = 0;

  add(counts: Map<number, number>): void {
    this.documents += 1;
    for (const id of counts.keys()) this.df.set(id, (this.df.get(id) ?? 0) + 1);
  }

  /** Smoothed inverse document frequency; terms in more than `maxShare` of the documents weigh nothing (shared boilerplate such as few-shot examples). */
  idf(id: number, maxShare = 0.25): number {
    const df = this.df.get(id) ?? 0;
    if (this.documents >= 20 && df > maxShare * this.documents) return 0;
    return Math.log((1 + this.documents) / (1 + df)) + 1;
  }

  /** The TF-IDF vector of term counts, L2-normalised; empty when nothing weighs. */
  vector(counts: Map<number, number>): SparseVector {
    const entries: [number, number][] = [];
    let norm = 0;
    for (const [id, count] of counts) {
      const weight = (1 + Math.log(count)) * this.idf(id);
      if (weight <= 0) continue;
      entries.push([id, weight]);
      norm += weight * weight;
    }
    entries.sort((a, b) => a[0] - b[0]);
    const ids = new Uint32Array(entries.length);
    const values = new Float32Array(entries.length);
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    entries.forEach(([id, weight], i) => {
      ids[i] = id;
      values[i] = weight * scale;
    });
    return { ids, values };
  }
}
