import type { DocumentType } from '../../../../shared/ipc/routes/documents';
import type { ParsedDocument } from '../types';
import { buildDocument } from './sections';

/** Plain text, CSV and JSON: one section with no heading. */
export function parsePlainText(text: string, type: Extract<DocumentType, 'text' | 'csv' | 'json'> = 'text'): ParsedDocument {
  return buildDocument(type, [{ page: null, headingPath: [], text: text.replace(/\r\n/g, '\n') }]);
}
