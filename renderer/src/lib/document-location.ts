/** Where a chunk sits in its file, as the contract gives it for hits and citations. */
export interface DocumentLocation {
  path: string;
  page: number | null;
  headingPath: string[];
  /** "Slide 4", "Sheet Budget, rows 2–41"...: shown when there is no page. */
  location?: string | null;
  /** Read by OCR: the label says so, since the text may hold misread words. */
  ocr?: boolean;
}

/** "/docs/report.pdf" → "report.pdf" (either separator). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

/** "page 3", "Slide 4", "Setup › Install", "page 2 · OCR", or null when the text sits under no heading. */
export function placeLabel(location: Pick<DocumentLocation, 'page' | 'headingPath' | 'location' | 'ocr'>): string | null {
  const place =
    location.page !== null
      ? `page ${location.page}`
      : location.location
        ? location.location
        : location.headingPath.length > 0
          ? location.headingPath.join(' › ')
          : null;
  if (location.ocr) return place ? `${place} · OCR` : 'OCR';
  return place;
}

/** "report.pdf, page 3" — the name a citation or a search hit goes by. */
export function describeLocation(location: DocumentLocation): string {
  const place = placeLabel(location);
  return place ? `${baseName(location.path)}, ${place}` : baseName(location.path);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Words too common to be worth marking in a result. */
const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from how in is it its of on or that the this to was what when where which who why will with'.split(' '),
);

/** The words of a search query worth highlighting (two letters or more, no stop words), longest first. */
export function queryTerms(query: string): string[] {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/** Splits `text` into runs, marking those that match one of `terms` (case-insensitive). */
export function splitByTerms(text: string, terms: readonly string[]): { text: string; match: boolean }[] {
  if (terms.length === 0 || !text) return [{ text, match: false }];
  // With one capturing group, split() puts the matches at the odd indices.
  // Whole words, with common endings: "port" marks "port" and "ports", never "report" or "Porto".
  const pattern = new RegExp(`((?<![\\p{L}\\p{N}_])(?:${terms.map(escapeRegExp).join('|')})(?:s|es|ed|ing)?(?![\\p{L}\\p{N}_]))`, 'iu');
  return text
    .split(pattern)
    .map((run, index) => ({ text: run, match: index % 2 === 1 }))
    .filter((run) => run.text.length > 0);
}

/**
 * Finds a snippet in a section's text even when whitespace or ellipses
 * differ: the snippet's words in order, any whitespace between them. Tries
 * shorter leading runs of words when the whole snippet is not there.
 */
export function findSnippet(text: string, snippet: string): { start: number; end: number } | null {
  const pieces = snippet
    .split(/…|\.\.\./)
    .map((piece) => piece.trim())
    .filter((piece) => piece.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const piece of pieces) {
    const words = piece.split(/\s+/).filter(Boolean);
    const counts = [...new Set([words.length, 16, 10, 6, 4].filter((count) => count <= words.length))];
    for (const count of counts) {
      const pattern = new RegExp(words.slice(0, count).map(escapeRegExp).join('\\s+'), 'iu');
      const match = pattern.exec(text);
      if (match) return { start: match.index, end: match.index + match[0].length };
    }
  }
  return null;
}
