import type { SectionDraft } from './sections';

/** A spreadsheet row: its 1-based number in the sheet and its cells' text (gaps as ''). */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** Rows of one section: small enough that a section stays one chunk of ~256 tokens, header included. */
const MAX_SECTION_CHARS = 900;
const MAX_SECTION_ROWS = 40;

/**
 * A sheet as sections of consecutive rows, each starting with the header row
 * (the first row with any text) so a chunk read alone still says what its
 * columns are; cited as "Sheet NAME, rows A–B". Cells are joined with " | ".
 */
export function sheetSections(sheetName: string, rows: readonly SheetRow[]): SectionDraft[] {
  // Columns empty in every row (a table that starts at column C) are left out.
  const firstColumn = Math.min(...rows.map((r) => r.cells.findIndex((cell) => cell.trim() !== '')).filter((i) => i >= 0));
  const skip = Number.isFinite(firstColumn) ? firstColumn : 0;
  const filled = rows.map((r) => ({ row: r.row, line: rowLine(r.cells.slice(skip)) })).filter((r) => r.line.length > 0);
  const [header, ...body] = filled;
  if (!header) return [];
  const section = (first: number, last: number, lines: string[]): SectionDraft => ({
    page: null,
    headingPath: [sheetName],
    text: [header.line, ...lines].join('\n'),
    location: first === last ? `Sheet ${sheetName}, row ${first}` : `Sheet ${sheetName}, rows ${first}–${last}`,
  });
  if (body.length === 0) return [section(header.row, header.row, [])];
  const drafts: SectionDraft[] = [];
  let lines: string[] = [];
  let first = 0;
  let last = 0;
  let chars = header.line.length;
  for (const { row, line } of body) {
    if (lines.length > 0 && (lines.length >= MAX_SECTION_ROWS || chars + line.length + 1 > MAX_SECTION_CHARS)) {
      drafts.push(section(first, last, lines));
      lines = [];
      chars = header.line.length;
    }
    if (lines.length === 0) first = row;
    lines.push(line);
    last = row;
    chars += line.length + 1;
  }
  if (lines.length > 0) drafts.push(section(first, last, lines));
  return drafts;
}

function rowLine(cells: readonly string[]): string {
  let end = cells.length;
  while (end > 0 && !cells[end - 1]?.trim()) end--;
  return cells
    .slice(0, end)
    .map((cell) => cell.replace(/\s+/g, ' ').trim())
    .join(' | ')
    .trim();
}
