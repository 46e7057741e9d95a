import { readFile } from 'node:fs/promises';
import { CatalogFileSchema, type CatalogEntry } from '../../../../shared/ipc/routes/downloads';
import { CodedError } from '../../../../shared/ipc/errors';

/** Context length the fit estimate assumes (what most chats use). */
const FIT_CONTEXT = 4096;

/** Reads and validates the catalog (`BundledResources.catalog`); a broken file is a clear error, not a crash later. */
export async function loadModelCatalog(path: string): Promise<CatalogEntry[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CodedError('STORAGE_FAILED', `The model catalog ${path} could not be read: ${(error as Error).message}`);
  }
  const parsed = CatalogFileSchema.safeParse(raw);
  if (!parsed.success) throw new CodedError('STORAGE_FAILED', `The model catalog ${path} is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data.models;
}

/**
 * Memory a model needs, roughly: its weights, a KV cache at a 4096 context
 * (scaled from the parameter count; about 0.1 MB per token per billion
 * parameters for GQA models of this size), and runtime overhead.
 */
export function estimateRequiredBytes(entry: Pick<CatalogEntry, 'sizeBytes' | 'parameters' | 'contextLength' | 'kind'>): number {
  const context = Math.min(FIT_CONTEXT, entry.contextLength);
  const kvBytes = entry.kind === 'embedding' ? 0 : context * (entry.parameters / 1e9) * 100_000;
  return Math.round(entry.sizeBytes * 1.05 + kvBytes + 128 * 1024 * 1024);
}
