import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocumentParseError, type ParsedDocument } from '../types';
import { buildDocument, type SectionDraft } from './sections';

// pdf.js 6 no longer evaluates fonts as code (there is no `isEvalSupported` option left to turn off).
type PdfJs = typeof PdfJsModule;
let pdfjsModule: Promise<PdfJs> | null = null;

/** pdf.js is large; it loads on the first PDF, never for a collection without one. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

/**
 * A PDF as one section per page (`page` is the 1-based page number). Text
 * items are joined as pdf.js lays them out, with a line break where a line ends.
 * Throws ENCRYPTED for a password-protected file, CORRUPT for a damaged one,
 * EMPTY when no page has text (a scan without OCR).
 */
export async function parsePdf(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<ParsedDocument> {
  const pdfjs = await loadPdfJs();
  options.signal?.throwIfAborted();
  // pdf.js takes ownership of (and detaches) the buffer it is given.
  const data = new Uint8Array(bytes);
  const task = pdfjs.getDocument({ data, verbosity: 0, useWorkerFetch: false, disableFontFace: true, stopAtErrors: false });
  try {
    let doc: Awaited<typeof task.promise>;
    try {
      doc = await task.promise;
    } catch (error) {
      throw openError(error);
    }
    const drafts: SectionDraft[] = [];
    for (let pageNumber = 1; pageNumber <= doc.numPages; pageNumber++) {
      options.signal?.throwIfAborted();
      let text = '';
      try {
        const page = await doc.getPage(pageNumber);
        const content = await page.getTextContent();
        for (const item of content.items) {
          if (!('str' in item)) continue;
          text += item.str;
          if (item.hasEOL) text += '\n';
        }
        page.cleanup();
      } catch (error) {
        throw new DocumentParseError('CORRUPT', `Page ${pageNumber} of the PDF is damaged (${messageOf(error)})`);
      }
      drafts.push({ page: pageNumber, headingPath: [], text });
    }
    const parsed = buildDocument('pdf', drafts);
    if (parsed.sections.length === 0) {
      throw new DocumentParseError('EMPTY', 'The PDF has no text (scanned images?); run OCR on it to make it searchable');
    }
    return parsed;
  } finally {
    await task.destroy();
  }
}

function openError(error: unknown): DocumentParseError {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'PasswordException') return new DocumentParseError('ENCRYPTED', 'The PDF is password-protected');
  if (name === 'InvalidPDFException') return new DocumentParseError('CORRUPT', 'The PDF is damaged or not a PDF (invalid structure)');
  return new DocumentParseError('CORRUPT', `The PDF could not be opened (${messageOf(error)})`);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 160);
}
