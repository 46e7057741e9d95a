/** Roughly how long a snippet is. */
export const SNIPPET_CHARS = 200;

const STOP_WORDS = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'how', 'in', 'is', 'it', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'was', 'what', 'when', 'where', 'which', 'who', 'why', 'with']);

/** The words of a query worth looking for in a text (lower-case, no stop words). */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w))))];
}

/**
 * A window of about `SNIPPET_CHARS` around the best place in `text`: where
 * the most distinct query terms meet (a term also matches by its first five
 * letters, so "sleeping" finds "sleeps"), cut at word boundaries, with "…"
 * where text was left out.
 */
export function makeSnippet(text: string, query: string, length = SNIPPET_CHARS): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= length) return clean;
  const lower = clean.toLowerCase();
  const terms = queryTerms(query);
  const hits: { at: number; term: number }[] = [];
  terms.forEach((term, i) => {
    const needle = term.length > 5 ? term.slice(0, 5) : term;
    let from = 0;
    for (;;) {
      const at = lower.indexOf(needle, from);
      if (at < 0) break;
      hits.push({ at, term: i });
      from = at + needle.length;
    }
  });
  let start = 0;
  if (hits.length > 0) {
    hits.sort((a, b) => a.at - b.at);
    let best = -1;
    for (const hit of hits) {
      const windowStart = Math.max(0, hit.at - Math.floor(length * 0.3));
      const distinct = new Set(hits.filter((h) => h.at >= windowStart && h.at < windowStart + length).map((h) => h.term)).size;
      if (distinct > best) {
        best = distinct;
        start = windowStart;
      }
    }
  }
  start = Math.min(start, Math.max(0, clean.length - length));
  let end = Math.min(clean.length, start + length);
  if (start > 0) {
    const space = clean.indexOf(' ', start);
    if (space >= 0 && space - start < 20) start = space + 1;
  }
  if (end < clean.length) {
    const space = clean.lastIndexOf(' ', end);
    if (space > start && end - space < 20) end = space;
  }
  return `${start > 0 ? '…' : ''}${clean.slice(start, end)}${end < clean.length ? '…' : ''}`;
}
