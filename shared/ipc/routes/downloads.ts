import { z } from 'zod';
import { IdSchema } from '../domain';
import { ErrorCodeSchema } from '../errors';
import { request } from '../route-def';

/** Catalog ids: lower-case letters, digits, `.`, `_` and `-` (e.g. "qwen2.5-0.5b-instruct"). */
export const CatalogIdSchema = z.string().min(1).max(128).regex(/^[a-z0-9][a-z0-9._-]*$/, 'catalog ids are lower-case letters, digits, ., _ and -');

/** One entry of the built-in model catalog (`resources/model-catalog.json`). */
export const CatalogEntrySchema = z.object({
  id: CatalogIdSchema,
  name: z.string().min(1).max(200),
  kind: z.enum(['chat', 'embedding']),
  /** `hf:user/repo:QUANT` or `hf:user/repo/file.gguf`, as node-llama-cpp understands them. */
  uri: z.string().min(1).max(2048),
  /** Approximate file size in bytes. */
  sizeBytes: z.number().int().positive(),
  quantization: z.string().max(32),
  /** Approximate parameter count. */
  parameters: z.number().int().positive(),
  contextLength: z.number().int().positive(),
  license: z.string().max(100),
  description: z.string().max(500).optional(),
  /** Lower-case hex SHA-256 of the file, only where it is known for sure. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const CatalogFileSchema = z.object({ version: z.literal(1), models: z.array(CatalogEntrySchema).min(1) });

/** A catalog entry with a rough estimate of whether it fits this machine. */
export const CatalogItemSchema = CatalogEntrySchema.extend({
  fit: z.object({
    /** File size plus context and runtime overhead at a 4096-token context. */
    requiredBytes: z.number().nonnegative(),
    /** Free RAM plus free VRAM right now. */
    availableBytes: z.number().nonnegative(),
    fits: z.boolean(),
  }),
  /** The model is already in the models folder. */
  installed: z.boolean(),
});
export type CatalogItem = z.infer<typeof CatalogItemSchema>;

export const DownloadStateSchema = z.enum(['queued', 'downloading', 'verifying', 'paused', 'completed', 'failed', 'cancelled']);
export type DownloadState = z.infer<typeof DownloadStateSchema>;

/** A download, as the UI shows it; also the payload of `downloads.progress`. */
export const DownloadStatusSchema = z.object({
  id: IdSchema,
  /** What the user asked for (an `hf:` URI, an http(s) URL or a catalog id's URI). */
  uri: z.string(),
  /** The file name it will have in the models folder. */
  fileName: z.string(),
  state: DownloadStateSchema,
  bytesDone: z.number().nonnegative(),
  /** Null until the server said. */
  totalBytes: z.number().nonnegative().nullable(),
  bytesPerSecond: z.number().nonnegative(),
  /** Seconds left at the current speed; null when unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** The finished model's id in the library. */
  modelId: z.string().nullable(),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
});
export type DownloadStatus = z.infer<typeof DownloadStatusSchema>;

const DownloadRef = z.strictObject({ downloadId: IdSchema });

export const downloadRoutes = {
  /** The built-in catalog of recommended models, with a fit estimate for this machine. */
  'models.catalog': request(z.strictObject({}), z.array(CatalogItemSchema)),
  /** Downloads in progress, paused (also from an earlier run), finished or failed in this run. */
  'downloads.list': request(z.strictObject({}), z.array(DownloadStatusSchema)),
  /**
   * Starts (or resumes) downloading a model; answers at once, progress comes
   * as `downloads.progress` events. Give an `hf:` URI, an http(s) URL, or a catalog id.
   */
  'downloads.start': request(
    z.union([z.strictObject({ uri: z.string().min(1).max(2048) }), z.strictObject({ catalogId: CatalogIdSchema })]),
    DownloadStatusSchema,
  ),
  /** Stops a download and keeps what it has, to resume later (also after a restart). */
  'downloads.pause': request(DownloadRef, DownloadStatusSchema),
  'downloads.resume': request(DownloadRef, DownloadStatusSchema),
  /** Stops a download and deletes its partial file. */
  'downloads.cancel': request(DownloadRef, DownloadStatusSchema),
  /** Deletes a model file from the models folders (the UI asks first). */
  'models.remove': request(z.strictObject({ modelId: z.string().min(1).max(4096) }), z.object({ removed: z.string() })),
} as const;

export const downloadEvents = {
  /** A download moved on (at most a few times a second) or changed state. */
  'downloads.progress': DownloadStatusSchema,
} as const;
