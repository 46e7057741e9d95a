import mammoth from 'mammoth';
import { DocumentParseError, type ParsedDocument } from '../types';
import { parseHtml } from './html-parser';

/** A Word (.docx) file as sections split at its headings (Heading 1–6 styles). */
export async function parseDocx(bytes: Buffer): Promise<ParsedDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: bytes })).value;
  } catch (error) {
    throw new DocumentParseError('CORRUPT', `The Word file is damaged or not a .docx (${shortMessage(error)})`);
  }
  return parseHtml(html, 'docx');
}

function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 160) ?? 'unknown error';
}
