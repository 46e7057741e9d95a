import { extname } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';

/**
 * What "Open in system viewer" (documents.openExternal) may hand to the
 * operating system: document formats only, by extension. A script or an
 * executable (.sh, .ps1, .js, .bat, .exe, .app, .desktop, a macro-enabled
 * Office file…) opened that way may run instead of showing, so code files
 * are viewed inside Tandem (documents.view) and never opened outside it.
 */
export const VIEWER_EXTENSIONS: ReadonlySet<string> = new Set([
  // documents
  'pdf', 'docx', 'odt', 'pptx', 'xlsx', 'ods', 'epub', 'rtf',
  // text
  'md', 'markdown', 'txt', 'text', 'log', 'rst', 'csv', 'tsv', 'json', 'jsonl',
  // web pages open in the browser's sandbox
  'html', 'htm',
  // mail
  'eml', 'mbox',
  // images
  'png', 'jpg', 'jpeg', 'gif', 'tif', 'tiff', 'bmp', 'webp',
]);

/** Throws FORBIDDEN unless the file is a document type the system viewer may open. */
export function assertOpenableInViewer(path: string): void {
  const ext = extname(path).slice(1).toLowerCase();
  if (!VIEWER_EXTENSIONS.has(ext)) {
    throw new CodedError(
      'FORBIDDEN',
      `${ext ? `.${ext} files` : 'Files without an extension'} are not opened in another app (they could run as a program); view it in Tandem instead`,
    );
  }
}
