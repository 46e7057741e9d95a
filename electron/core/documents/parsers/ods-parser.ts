import type { ParsedDocument } from '../types';
import { buildDocument, type SectionDraft } from './sections';
import { sheetSections, type SheetRow } from './sheet-sections';
import { attrOf, childrenOf, findAll, tagOf, type XmlNode } from './xml-tree';
import { odfText } from './odf-text';
import { ZipArchive } from './zip-archive';

/** Repeats beyond this are the empty rest of a sheet (ODF writes "1048000 empty rows" as one element). */
const MAX_REPEAT = 1000;

/**
 * An OpenDocument spreadsheet (.ods) as tables: every `table:table` cut into
 * runs of rows with the header row repeated, cited as "Sheet NAME, rows A–B".
 */
export async function parseOds(bytes: Uint8Array): Promise<ParsedDocument> {
  const archive = await ZipArchive.open(bytes, 'OpenDocument spreadsheet');
  const content = await archive.xml('content.xml', true);
  const drafts: SectionDraft[] = [];
  for (const table of findAll(content, 'table:table')) {
    drafts.push(...sheetSections(attrOf(table, 'table:name') ?? 'Sheet', tableRows(table)));
  }
  return buildDocument('ods', drafts);
}

function tableRows(table: XmlNode): SheetRow[] {
  const rows: SheetRow[] = [];
  let number = 0;
  const visit = (nodes: XmlNode[]) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === 'table:table-row') {
        const repeat = Number(attrOf(node, 'table:number-rows-repeated') ?? 1) || 1;
        const cells = rowCells(node);
        const empty = cells.every((cell) => !cell.trim());
        for (let i = 0; i < repeat; i++) {
          number++;
          if (!empty && i < MAX_REPEAT) rows.push({ row: number, cells });
        }
      } else if (tag === 'table:table-header-rows' || tag === 'table:table-rows' || tag === 'table:table-row-group') {
        visit(childrenOf(node));
      }
    }
  };
  visit(childrenOf(table));
  return rows;
}

function rowCells(row: XmlNode): string[] {
  const cells: string[] = [];
  for (const cell of childrenOf(row)) {
    const tag = tagOf(cell);
    if (tag !== 'table:table-cell' && tag !== 'table:covered-table-cell') continue;
    const repeat = Math.min(Number(attrOf(cell, 'table:number-columns-repeated') ?? 1) || 1, MAX_REPEAT);
    const paragraphs = childrenOf(cell).filter((child) => tagOf(child) === 'text:p');
    let text = paragraphs.map((p) => odfText(childrenOf(p))).join(' ');
    if (!text) text = attrOf(cell, 'office:value') ?? attrOf(cell, 'office:date-value') ?? attrOf(cell, 'office:boolean-value') ?? '';
    for (let i = 0; i < repeat; i++) cells.push(text);
  }
  return cells;
}
