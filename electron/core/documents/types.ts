import type { DocumentType, IndexFailure, IndexFailureSchema } from '../../../shared/ipc/routes/documents';
import type { z } from 'zod';

/** A file the scanner found and will hand to a parser. */
export interface ScannedFile {
  /** Absolute path. */
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  type: DocumentType;
}

export interface ScanOptions {
  /** Extra gitignore-syntax patterns (settings `documents.ignore`), on top of each folder's .gitignore. */
  ignore: readonly string[];
  /** Bigger files are reported as TOO_LARGE. */
  maxFileBytes: number;
  /** Images are documents only while OCR is on (default true); off, a folder's images are passed over and a single one is UNSUPPORTED. */
  images?: boolean;
  signal?: AbortSignal;
}

/** Good files to parse, and the files that were skipped with a reason. */
export interface ScanResult {
  files: ScannedFile[];
  failures: IndexFailure[];
}

/** A run of a document's text at one place: a PDF page, or the text under one heading. */
export interface ParsedSection {
  page: number | null;
  /** Outermost heading first. */
  headingPath: string[];
  text: string;
  /** Offset of `text` in the document's whole parsed text (sections joined with "\n\n"). */
  charStart: number;
  /** "Slide 4", "Sheet Budget, rows 2–41", "Chapter 3"...: cited when `page` is null (see LocationShape). */
  location?: string | null;
  /** The text came from OCR. */
  ocr?: boolean;
}

export interface ParsedDocument {
  type: DocumentType;
  sections: ParsedSection[];
}

/** Thrown by a parser for a file it cannot read; the pipeline records it and goes on. */
export class DocumentParseError extends Error {
  constructor(
    readonly code: z.infer<typeof IndexFailureSchema>['code'],
    message: string,
  ) {
    super(message);
    this.name = 'DocumentParseError';
  }
}

/** A piece of a document sized for the embedding model; never spans two pages. */
export interface Chunk {
  /** Position of the chunk in its document (0-based). */
  ordinal: number;
  text: string;
  page: number | null;
  headingPath: string[];
  /** The section's location ("Slide 4"...), null when its page or headings say where it is. */
  location: string | null;
  /** The section's text was read by OCR. */
  ocr: boolean;
  charStart: number;
  charEnd: number;
  /** SHA-256 (hex) of `text` plus its location, so equal text on two pages stays two chunks. */
  contentHash: string;
}

export interface ChunkOptions {
  /** Tokens of the embedding model's tokenizer (an estimate when there is none). */
  countTokens: (text: string) => number;
  maxTokens: number;
  overlapTokens: number;
}
