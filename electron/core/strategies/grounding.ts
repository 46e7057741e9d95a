import { queryTerms } from '../documents/snippet';

/** Share of a condensed text's words that must come from the sources for it to be trusted. */
export const GROUNDED_SHARE = 0.7;

const words = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 || /\d/.test(w));

/**
 * How much of a condensed text is copied from the sources: the share of its
 * words (longer than two letters, or with a digit) that occur in them. A
 * condensation is meant to copy facts, so a low share means the model wrote
 * its own text (a small model telling a story, or answering from memory).
 */
export function groundedShare(condensed: string, sources: string): number {
  const vocabulary = new Set(words(sources));
  const own = words(condensed.replace(/\[\d{1,4}\]/g, ' '));
  if (own.length === 0) return 0;
  return own.filter((w) => vocabulary.has(w)).length / own.length;
}

/** One source line as the retrieval wrote it: `[n] label — quote`. */
const SOURCE_LINE = /^\[(\d{1,4})\]\s+(.*?)\s+—\s+([\s\S]*)$/;

/**
 * The condensation Tandem falls back on when the model's is not grounded:
 * from each source, the sentences that share the most words with the
 * question (at least one), in their order, under the source's own [n]
 * marker and label; sources whose best sentence shares less than half as
 * many of the question's words as the best one are left out (all are kept
 * when none shares any). At most `share` of the sources' characters.
 */
export function extractiveCondense(question: string, sources: readonly string[], share = 0.5): string {
  const terms = queryTerms(question).map((t) => (t.length > 5 ? t.slice(0, 5) : t));
  const parsed = sources.flatMap((line) => {
    const match = SOURCE_LINE.exec(line);
    return match ? [{ n: match[1]!, label: match[2]!, sentences: splitSentences(match[3]!) }] : [];
  });
  const scoreOf = (sentence: string) => {
    const lower = sentence.toLowerCase();
    return terms.filter((t) => lower.includes(t)).length;
  };
  const scored = parsed.map((source) => ({ ...source, scores: source.sentences.map(scoreOf) }));
  // A source is relevant when its best sentence matches at least half as many of the question's words as the best of all.
  const top = Math.max(0, ...scored.flatMap((s) => s.scores));
  const relevant = scored.filter((s) => Math.max(0, ...s.scores) >= Math.max(1, Math.ceil(top / 2)));
  const chosen = relevant.length > 0 ? relevant : scored;
  const budget = Math.max(200, Math.floor(sources.join('\n').length * share));
  const lines: string[] = [];
  let used = 0;
  for (const source of chosen) {
    const best = Math.max(0, ...source.scores);
    // The best sentences of this source, then the next best while they still match the question.
    const order = source.sentences.map((_, i) => i).sort((a, b) => source.scores[b]! - source.scores[a]! || a - b);
    const keep = new Set<number>([order[0]!]);
    for (const i of order.slice(1)) if (source.scores[i]! > 0 && source.scores[i]! >= best - 1 && keep.size < 3) keep.add(i);
    const text = [...keep].sort((a, b) => a - b).map((i) => source.sentences[i]).join(' ');
    const line = `[${source.n}] ${source.label} — ${text}`;
    if (lines.length > 0 && used + line.length > budget) break;
    lines.push(line);
    used += line.length;
  }
  return lines.join('\n');
}

function splitSentences(text: string): string[] {
  const sentences = text.match(/[^.!?…]+(?:[.!?…]+["')\]]*|$)/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
  return sentences.length > 0 ? sentences : [text.trim()];
}
