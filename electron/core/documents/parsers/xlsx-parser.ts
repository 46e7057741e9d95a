import type { ParsedDocument } from '../types';
import { buildDocument, type SectionDraft } from './sections';
import { sheetSections, type SheetRow } from './sheet-sections';
import { attrOf, childrenOf, collectText, findAll, findFirst, tagOf, type XmlNode } from './xml-tree';
import { relationships, ZipArchive } from './zip-archive';

const FORMAT = 'Excel file';
const WORKBOOK = 'xl/workbook.xml';

/**
 * An Excel (.xlsx) workbook as tables: every sheet, in the workbook's order,
 * cut into runs of rows with the header row repeated (see `sheetSections`),
 * cited as "Sheet NAME, rows A–B". Cells show their stored value (shared and
 * inline strings, numbers, booleans, formulas' cached results).
 */
export async function parseXlsx(bytes: Uint8Array): Promise<ParsedDocument> {
  const archive = await ZipArchive.open(bytes, FORMAT);
  const workbook = await archive.xml(WORKBOOK, true);
  const rels = await relationships(archive, WORKBOOK);
  const sharedPath = [...rels.values()].find((rel) => rel.type.endsWith('/sharedStrings'))?.target ?? 'xl/sharedStrings.xml';
  const shared = await archive.xml(sharedPath);
  const strings = shared ? findAll(shared, 'si').map(stringItemText) : [];
  const drafts: SectionDraft[] = [];
  for (const sheet of findAll(workbook, 'sheet')) {
    const name = attrOf(sheet, 'name') ?? 'Sheet';
    const path = rels.get(attrOf(sheet, 'r:id') ?? '')?.target;
    if (!path || !archive.has(path)) continue; // a chart sheet or a dangling reference
    const nodes = await archive.xml(path, true);
    drafts.push(...sheetSections(name, sheetRows(nodes, strings)));
  }
  return buildDocument('xlsx', drafts);
}

function sheetRows(nodes: XmlNode[], strings: readonly string[]): SheetRow[] {
  const data = findFirst(nodes, 'sheetData');
  if (!data) return [];
  const rows: SheetRow[] = [];
  let previous = 0;
  for (const row of childrenOf(data)) {
    if (tagOf(row) !== 'row') continue;
    const number = Number(attrOf(row, 'r')) || previous + 1;
    previous = number;
    const cells: string[] = [];
    let nextColumn = 0;
    for (const cell of childrenOf(row)) {
      if (tagOf(cell) !== 'c') continue;
      const ref = attrOf(cell, 'r');
      const column = ref ? columnIndex(ref) : nextColumn;
      nextColumn = column + 1;
      while (cells.length < column) cells.push('');
      cells[column] = cellText(cell, strings);
    }
    rows.push({ row: number, cells });
  }
  return rows;
}

function cellText(cell: XmlNode, strings: readonly string[]): string {
  const type = attrOf(cell, 't') ?? 'n';
  if (type === 'inlineStr') {
    const inline = findFirst(childrenOf(cell), 'is');
    return inline ? stringItemText(inline) : '';
  }
  const valueNode = childrenOf(cell).find((child) => tagOf(child) === 'v');
  const value = valueNode ? collectText(childrenOf(valueNode)) : '';
  if (type === 's') return strings[Number(value)] ?? '';
  if (type === 'b') return value === '1' ? 'TRUE' : value === '0' ? 'FALSE' : value;
  return value;
}

/** A shared or inline string: its `t` runs, phonetic guides (`rPh`) left out. */
function stringItemText(item: XmlNode): string {
  return collectText(childrenOf(item), (_node, tag) => (tag === 'rPh' || tag === 'phoneticPr' || tag === 'rPr' ? '' : undefined));
}

/** "C12" → 2 (0-based column). */
function columnIndex(ref: string): number {
  let column = 0;
  for (const char of ref) {
    const code = char.charCodeAt(0);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return Math.max(0, column - 1);
}
