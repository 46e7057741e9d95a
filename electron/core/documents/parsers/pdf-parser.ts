import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { OcrReader } from '../ocr/ocr-engine';
import { renderPdfPages } from '../ocr/pdf-page-renderer';
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

export interface PdfParseOptions {
  signal?: AbortSignal;
  /** Reads pages that have no text layer (scans); null or absent: such pages stay empty. */
  ocr?: OcrReader | null;
  /** Called before each page goes to OCR: page `done + 1` of `total` pages needing it. */
  onOcrPage?: (done: number, total: number) => void;
}

/** Pages are rendered at this many pixels on their longer side for OCR (about 200 dpi for A4/Letter). */
const OCR_RENDER_PIXELS = 2200;
const MAX_OCR_SCALE = 4;

/**
 * A PDF as one section per page (`page` is the 1-based page number). Text
 * items are joined as pdf.js lays them out, with a line break where a line ends.
 * A page with no text layer but an image (a scan) is rendered and read by
 * `options.ocr` when given; its section is marked `ocr`.
 * Throws ENCRYPTED for a password-protected file, CORRUPT for a damaged one,
 * EMPTY when no page has text (a scan without OCR).
 */
export async function parsePdf(bytes: Uint8Array, options: PdfParseOptions = {}): Promise<ParsedDocument> {
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
    const scanned: number[] = [];
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
        // Image checks and rendering happen in the renderer's worker thread: pdf.js decodes images as it lists a page's operators.
        if (options.ocr && !text.trim()) scanned.push(pageNumber);
        page.cleanup();
      } catch (error) {
        throw new DocumentParseError('CORRUPT', `Page ${pageNumber} of the PDF is damaged (${messageOf(error)})`);
      }
      drafts.push({ page: pageNumber, headingPath: [], text });
    }
    // Scanned pages that could not be read: the PDF's text pages are indexed all the same.
    let ocrProblem: string | null = null;
    if (options.ocr && scanned.length > 0) {
      // Rendering happens in a worker thread while the previous page is read by OCR in tesseract's.
      let done = 0;
      options.onOcrPage?.(0, scanned.length);
      try {
        for await (const { page, png, problem } of renderPdfPages(bytes, scanned, { pixels: OCR_RENDER_PIXELS, maxScale: MAX_OCR_SCALE, signal: options.signal })) {
          if (problem) ocrProblem ??= `page ${page} could not be drawn (${problem.slice(0, 120)})`;
          if (png) {
            try {
              const { text } = await options.ocr.recognize(png, options.signal);
              const draft = drafts[page - 1];
              if (draft) Object.assign(draft, { text, ocr: true });
            } catch (error) {
              if (options.signal?.aborted) throw error;
              ocrProblem ??= messageOf(error);
            }
          }
          done++;
          if (done < scanned.length) options.onOcrPage?.(done, scanned.length);
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        ocrProblem ??= messageOf(error);
      }
    }
    const parsed = buildDocument('pdf', drafts);
    if (parsed.sections.length === 0) {
      if (ocrProblem) throw new DocumentParseError('PARSE_FAILED', `The PDF has no text layer and OCR could not read it: ${ocrProblem}`);
      throw new DocumentParseError(
        'EMPTY',
        options.ocr
          ? 'The PDF has no text, and OCR found none on its pages'
          : 'The PDF has no text (scanned images?); turn on OCR (Settings: documents.ocr.enabled) to read scanned pages',
      );
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
