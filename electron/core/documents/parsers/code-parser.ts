import type { ParsedDocument } from '../types';
import { buildDocument } from './sections';

/** Source code: one section headed by the file name (the chunker splits it at blank lines). */
export function parseCode(text: string, fileName: string): ParsedDocument {
  return buildDocument('code', [{ page: null, headingPath: [fileName], text: text.replace(/\r\n/g, '\n') }]);
}
