import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DocumentParseError, type ParsedDocument, type ScannedFile } from '../types';
import { parseCode } from './code-parser';
import { decodeText } from './decode-text';
import { parseDocx } from './docx-parser';
import { parseHtml } from './html-parser';
import { parseMarkdown } from './markdown-parser';
import { parsePdf } from './pdf-parser';
import { parsePlainText } from './plain-text-parser';

/**
 * Reads and parses a scanned file into sections by its type. Throws a
 * {@link DocumentParseError} (UNREADABLE, CORRUPT, ENCRYPTED, EMPTY,
 * PARSE_FAILED) for a file that cannot be indexed, or the signal's reason when aborted.
 */
export async function parseFile(file: ScannedFile, options: { signal?: AbortSignal } = {}): Promise<ParsedDocument> {
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
    doc = await parseBytes(file, bytes, options.signal);
  } catch (error) {
    if (error instanceof DocumentParseError || options.signal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new DocumentParseError('PARSE_FAILED', `The file could not be parsed (${message.slice(0, 160)})`);
  }
  if (doc.sections.length === 0) throw new DocumentParseError('EMPTY', 'The file has no text to index');
  return doc;
}

function parseBytes(file: ScannedFile, bytes: Buffer, signal: AbortSignal | undefined): Promise<ParsedDocument> | ParsedDocument {
  switch (file.type) {
    case 'pdf':
      return parsePdf(bytes, { signal });
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
