import type { OcrReader } from '../ocr/ocr-engine';
import { DocumentParseError, type ParsedDocument } from '../types';
import { buildDocument } from './sections';

/** An image (png, jpg, tiff, bmp, webp) read by OCR: one section, marked `ocr`. */
export async function parseImage(bytes: Uint8Array, ocr: OcrReader | null | undefined, signal?: AbortSignal): Promise<ParsedDocument> {
  if (!ocr) throw new DocumentParseError('UNSUPPORTED', 'Images are read by OCR, which is turned off (Settings: documents.ocr.enabled)');
  const { text } = await ocr.recognize(bytes, signal);
  const doc = buildDocument('image', [{ page: null, headingPath: [], text, ocr: true }]);
  if (doc.sections.length === 0) throw new DocumentParseError('EMPTY', 'OCR found no text in the image');
  return doc;
}
