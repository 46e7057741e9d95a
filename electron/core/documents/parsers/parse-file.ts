import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DocumentParseError, type ParsedDocument, type ScannedFile } from '../types';
import { parseCode } from './code-parser';
import { decodeText } from './decode-text';
import { parseDocx } from './docx-parser';
import { parseEmail } from './email-parser';
import { parseEpub } from './epub-parser';
import { parseHtml } from './html-parser';
import { parseImage } from './image-parser';
import { parseMarkdown } from './markdown-parser';
import { parseOds } from './ods-parser';
import { parseOdt } from './odt-parser';
import { parsePdf } from './pdf-parser';
import { parsePlainText } from './plain-text-parser';
import { parsePptx } from './pptx-parser';
import { parseXlsx } from './xlsx-parser';
import type { OcrReader } from '../ocr/ocr-engine';

export interface ParseFileOptions {
  signal?: AbortSignal;
  /** Reads images and scanned PDF pages; null or absent when OCR is off (images then fail as UNSUPPORTED). */
  ocr?: OcrReader | null;
  /** Says what a slow file is going through ("OCR page 2 of 9"), for the progress bar. */
  onDetail?: (detail: string) => void;
}

/**
 * Reads and parses a scanned file into sections by its type. Throws a
 * {@link DocumentParseError} (UNREADABLE, CORRUPT, ENCRYPTED, EMPTY,
 * PARSE_FAILED) for a file that cannot be indexed, or the signal's reason when aborted.
 */
export async function parseFile(file: ScannedFile, options: ParseFileOptions = {}): Promise<ParsedDocument> {
  options.signal?.throwIfAborted();
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new DocumentParseError('UNREADABLE', `The file could not be read (${code}); check that it exists and its permissions`);
  }
  let doc: ParsedDocument;
  try {
    doc = await parseBytes(file, bytes, options);
  } catch (error) {
    if (error instanceof DocumentParseError || options.signal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new DocumentParseError('PARSE_FAILED', `The file could not be parsed (${message.slice(0, 160)})`);
  }
  if (doc.sections.length === 0) throw new DocumentParseError('EMPTY', 'The file has no text to index');
  return doc;
}

function parseBytes(file: ScannedFile, bytes: Buffer, options: ParseFileOptions): Promise<ParsedDocument> | ParsedDocument {
  const { signal, ocr } = options;
  switch (file.type) {
    case 'pdf':
      return parsePdf(bytes, { signal, ocr, onOcrPage: (done, total) => options.onDetail?.(`OCR page ${done + 1} of ${total}`) });
    case 'image':
      options.onDetail?.('OCR page 1 of 1');
      return parseImage(bytes, ocr, signal);
    case 'pptx':
      return parsePptx(bytes);
    case 'xlsx':
      return parseXlsx(bytes);
    case 'ods':
      return parseOds(bytes);
    case 'odt':
      return parseOdt(bytes);
    case 'epub':
      return parseEpub(bytes);
    case 'email':
      return parseEmail(bytes, basename(file.path));
    case 'docx':
      return parseDocx(bytes);
    case 'markdown':
      return parseMarkdown(decodeText(bytes));
    case 'html':
      return parseHtml(decodeText(bytes));
    case 'code':
      return parseCode(decodeText(bytes), basename(file.path));
    case 'text':
    case 'csv':
    case 'json':
      return parsePlainText(decodeText(bytes), file.type);
  }
}
