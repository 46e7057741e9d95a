import { extname } from 'node:path';
import type { DocumentType } from '../../../shared/ipc/routes/documents';

const CODE_EXTENSIONS = [
  'ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'py', 'rs', 'go', 'java', 'c', 'cc', 'cpp', 'cxx', 'h', 'hh', 'hpp',
  'cs', 'rb', 'php', 'swift', 'kt', 'kts', 'scala', 'sh', 'bash', 'zsh', 'ps1', 'sql', 'css', 'scss', 'sass', 'less',
  'yaml', 'yml', 'toml', 'ini', 'xml', 'vue', 'svelte', 'lua', 'r', 'pl', 'dart', 'ex', 'exs', 'erl', 'hs', 'clj', 'zig',
] as const;

/** Images are read by OCR (tesseract reads these). */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'tif', 'tiff', 'bmp', 'webp'] as const;

const TYPE_BY_EXTENSION: ReadonlyMap<string, DocumentType> = new Map<string, DocumentType>([
  ['pdf', 'pdf'],
  ['docx', 'docx'],
  ['md', 'markdown'],
  ['markdown', 'markdown'],
  ['html', 'html'],
  ['htm', 'html'],
  ['txt', 'text'],
  ['text', 'text'],
  ['log', 'text'],
  ['rst', 'text'],
  ['csv', 'csv'],
  ['tsv', 'csv'],
  ['json', 'json'],
  ['jsonl', 'json'],
  ['pptx', 'pptx'],
  ['xlsx', 'xlsx'],
  ['ods', 'ods'],
  ['odt', 'odt'],
  ['epub', 'epub'],
  ['eml', 'email'],
  ['mbox', 'email'],
  ...IMAGE_EXTENSIONS.map((ext): [string, DocumentType] => [ext, 'image']),
  ...CODE_EXTENSIONS.map((ext): [string, DocumentType] => [ext, 'code']),
]);

/**
 * The document type of a file, from its extension (case-insensitive);
 * null when Tandem does not index that kind of file.
 */
export function documentTypeForPath(path: string): DocumentType | null {
  const ext = extname(path).slice(1).toLowerCase();
  if (!ext) return null;
  return TYPE_BY_EXTENSION.get(ext) ?? null;
}

const BINARY_TYPES: ReadonlySet<DocumentType> = new Set<DocumentType>(['pdf', 'docx', 'pptx', 'xlsx', 'ods', 'odt', 'epub', 'image']);

/** Types read as text: the scanner checks them for binary content. PDF, images and the zip-based office formats are binary by design. */
export function isTextType(type: DocumentType): boolean {
  return !BINARY_TYPES.has(type);
}
