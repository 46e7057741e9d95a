import { z } from 'zod';
import { IdSchema, TitleSchema } from '../ids';
import { ErrorCodeSchema } from '../errors';
import { request } from '../route-def';

/** keyword: full-text (BM25); semantic: vectors; hybrid: both, fused. */
export const SearchModeSchema = z.enum(['keyword', 'semantic', 'hybrid']);
export type SearchMode = z.infer<typeof SearchModeSchema>;

/**
 * What a file is read as. pptx: slides and notes; xlsx/ods: sheets as tables; odt: headings;
 * epub: chapters; email: .eml and .mbox messages; image: png, jpg, tiff... read by OCR.
 */
export const DocumentTypeSchema = z.enum(['pdf', 'docx', 'markdown', 'html', 'text', 'code', 'csv', 'json', 'pptx', 'xlsx', 'ods', 'odt', 'epub', 'email', 'image']);
export type DocumentType = z.infer<typeof DocumentTypeSchema>;

/** A folder or a single file that feeds a collection. */
export const SourceSchema = z.object({
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  /** Content never leaves the machine: stored with every chunk, enforced by the router for cloud models. */
  localOnly: z.boolean(),
});
export type Source = z.infer<typeof SourceSchema>;

/** Why a file could not be indexed. */
export const IndexFailureCodeSchema = z.enum([
  'UNREADABLE',
  'CORRUPT',
  'ENCRYPTED',
  'EMPTY',
  'BINARY',
  'TOO_LARGE',
  'SYMLINK_LOOP',
  'UNSUPPORTED',
  'PARSE_FAILED',
]);
export const IndexFailureSchema = z.object({
  path: z.string(),
  code: IndexFailureCodeSchema,
  /** A sentence a person can act on ("The PDF is password-protected"). */
  reason: z.string(),
});
export type IndexFailure = z.infer<typeof IndexFailureSchema>;

export const CollectionSchema = z.object({
  id: IdSchema,
  name: z.string(),
  sources: z.array(SourceSchema),
  /** The model the vectors came from; null when there is no embedding model (keyword search only). */
  embedder: z.object({ modelId: z.string(), dimensions: z.number().int().positive() }).nullable(),
  /**
   * The reranking model (a GGUF cross-encoder such as bge-reranker) that reorders the top
   * candidates of every search of this collection; null for none. Absent from older servers.
   */
  reranker: z.object({ modelId: z.string() }).nullable().optional(),
  files: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  state: z.enum(['idle', 'indexing', 'error']),
  lastIndexedAt: z.string().nullable(),
  /** The file watcher is running for its folders. */
  watching: z.boolean(),
});
export type Collection = z.infer<typeof CollectionSchema>;

/** An indexing job as the progress bar shows it; also the `collections.progress` event. */
export const IndexProgressSchema = z.object({
  collectionId: IdSchema,
  state: z.enum(['scanning', 'indexing', 'done', 'cancelled', 'failed']),
  filesTotal: z.number().int().nonnegative(),
  filesDone: z.number().int().nonnegative(),
  currentFile: z.string().nullable(),
  /** Chunks written in this job. */
  chunks: z.number().int().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  failures: z.array(IndexFailureSchema),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
  startedAt: z.string(),
  /** What the current file is going through when it takes a while ("OCR page 3 of 12"); null otherwise. */
  detail: z.string().nullable().optional(),
});
export type IndexProgress = z.infer<typeof IndexProgressSchema>;

/** One row of a collection's file registry (inventory export). */
export const InventoryFileSchema = z.object({
  path: z.string(),
  type: DocumentTypeSchema.nullable(),
  sizeBytes: z.number().int().nonnegative(),
  /** SHA-256 of the content, lower-case hex. */
  hash: z.string(),
  chunks: z.number().int().nonnegative(),
  indexedAt: z.string().nullable(),
  localOnly: z.boolean(),
  error: IndexFailureSchema.nullable(),
});
export type InventoryFile = z.infer<typeof InventoryFileSchema>;

/** Where a chunk sits in its file: page for PDFs, heading path for Markdown/HTML/docx. */
const LocationShape = {
  path: z.string(),
  page: z.number().int().positive().nullable(),
  /** Outermost heading first; empty when the text sits under no heading. */
  headingPath: z.array(z.string()),
  /**
   * Where it sits when a page number does not say it: "Slide 4", "Sheet Budget, rows 2–41",
   * "Chapter 3: Networking", "Email: Subject (sender, date)". Null or absent for pages and headings.
   */
  location: z.string().nullable().optional(),
  /** The text was read by OCR (a scanned page or an image), so it may contain misread words. */
  ocr: z.boolean().optional(),
};

export const SearchHitSchema = z.object({
  chunkId: z.string(),
  collectionId: IdSchema,
  ...LocationShape,
  type: DocumentTypeSchema,
  /** A short quote around the best match. */
  snippet: z.string(),
  /** The whole chunk. */
  text: z.string(),
  score: z.number(),
  localOnly: z.boolean(),
  /** Character offsets of the chunk in the parsed text of its file. */
  charStart: z.number().int().nonnegative(),
  charEnd: z.number().int().nonnegative(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

/** A numbered source of a grounded answer; the answer text refers to it as `[n]`. */
export const CitationSchema = z.object({
  n: z.number().int().positive(),
  chunkId: z.string(),
  collectionId: IdSchema,
  ...LocationShape,
  snippet: z.string(),
  localOnly: z.boolean(),
});
export type Citation = z.infer<typeof CitationSchema>;

const CollectionRef = z.strictObject({ collectionId: IdSchema });
const PathSchema = z.string().min(1).max(4096);

export const documentRoutes = {
  'collections.list': request(z.strictObject({}), z.array(CollectionSchema)),
  /**
   * Adds folders or files to the collection `name` (created when new) and
   * starts indexing them; progress comes as `collections.progress` events.
   */
  'collections.add': request(
    z.strictObject({ name: TitleSchema, paths: z.array(PathSchema).min(1).max(64), localOnly: z.boolean().optional() }),
    CollectionSchema,
  ),
  /** Deletes the collection's index (never the files). */
  'collections.remove': request(CollectionRef, z.object({ removed: z.literal(true) })),
  /** Rescans the sources: changed files (by content hash) are re-indexed, deleted ones dropped. */
  'collections.reindex': request(CollectionRef, CollectionSchema),
  'collections.cancelIndex': request(CollectionRef, CollectionSchema),
  /**
   * Chooses the collection's reranker (a model id from the models folders; null turns reranking
   * off). NOT_FOUND for an unknown model; the model is loaded on the next search, not here.
   */
  'collections.setReranker': request(z.strictObject({ collectionId: IdSchema, modelId: z.string().min(1).max(512).nullable() }), CollectionSchema),
  /** The running or last indexing job; null when none ran in this process. */
  'collections.job': request(CollectionRef, IndexProgressSchema.nullable()),
  /** The file registry: every file seen, with its chunks or why it failed. */
  'collections.inventory': request(CollectionRef, z.array(InventoryFileSchema)),
  'collections.export': request(
    z.strictObject({ collectionId: IdSchema, format: z.enum(['json', 'markdown']) }),
    z.object({ filename: z.string(), mimeType: z.string(), content: z.string() }),
  ),
  'documents.search': request(
    z.strictObject({
      collectionIds: z.array(IdSchema).min(1).max(32),
      query: z.string().trim().min(1).max(2000),
      k: z.number().int().min(1).max(100).optional(),
      /** Default from settings (`documents.searchMode`). */
      mode: SearchModeSchema.optional(),
      types: z.array(DocumentTypeSchema).max(16).optional(),
      /** Only files under this path. */
      pathPrefix: PathSchema.optional(),
    }),
    z.object({
      /** The mode that ran (semantic and hybrid fall back to keyword with no embedding model). */
      mode: SearchModeSchema,
      hits: z.array(SearchHitSchema),
      /** Said to the user when the mode had to change or the index is still building. */
      notice: z.string().nullable(),
    }),
  ),
  /** A file's parsed text by section, for the in-app viewer (a citation opens here). */
  'documents.view': request(
    z.strictObject({ collectionId: IdSchema, path: PathSchema }),
    z.object({
      path: z.string(),
      type: DocumentTypeSchema,
      sections: z.array(
        z.object({
          page: z.number().int().positive().nullable(),
          headingPath: z.array(z.string()),
          text: z.string(),
          charStart: z.number().int().nonnegative(),
          /** "Slide 4", "Sheet Budget, rows 2–41"...: see LocationShape. */
          location: z.string().nullable().optional(),
          /** The section was read by OCR. */
          ocr: z.boolean().optional(),
        }),
      ),
    }),
  ),
  /**
   * Opens the system folder picker (desktop only; UNSUPPORTED in serve mode, where the
   * path is typed). `paths` is empty when the person cancelled.
   */
  'documents.pickFolder': request(z.strictObject({}), z.object({ paths: z.array(z.string()) })),
  /** Opens the file in the system viewer (desktop only; UNSUPPORTED in serve mode). */
  'documents.openExternal': request(
    z.strictObject({ collectionId: IdSchema, path: PathSchema, page: z.number().int().positive().optional() }),
    z.object({ opened: z.literal(true) }),
  ),
} as const;

export const documentEvents = {
  /** An indexing job moved on (a few times a second at most) or ended. */
  'collections.progress': IndexProgressSchema,
  /** A collection was added, removed, or its counts changed. */
  'collections.changed': z.object({ collectionId: IdSchema.nullable() }),
} as const;
