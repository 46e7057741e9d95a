import { rm } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';
import type { CatalogEntry, CatalogItem } from '../../../shared/ipc/routes/downloads';
import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { DownloadManager } from '../models/downloads/download-manager';
import { estimateRequiredBytes } from '../models/downloads/model-catalog';
import type { LocalRuntime } from '../models/local-runtime';
import type { ModelLibrary } from '../models/model-library';
import type { Handlers } from './handlers';

type DownloadHandlerNames =
  | 'models.catalog'
  | 'downloads.list'
  | 'downloads.start'
  | 'downloads.pause'
  | 'downloads.resume'
  | 'downloads.cancel'
  | 'models.remove';

export interface DownloadHandlerDeps {
  downloads: DownloadManager;
  catalog: () => Promise<CatalogEntry[]>;
  library: ModelLibrary;
  runtime: LocalRuntime;
  /** The folders a model may be deleted from. */
  modelsDirs: () => string[];
  /** Free RAM + free VRAM in bytes. */
  availableMemory: () => Promise<number>;
  onModelsChanged: () => void;
}

/** Handlers for the catalog and download routes (shared/ipc/routes/downloads.ts). */
export function createDownloadHandlers(deps: DownloadHandlerDeps): Pick<Handlers, DownloadHandlerNames> {
  const { downloads, library } = deps;
  return {
    'models.catalog': async () => {
      const [entries, available, models] = await Promise.all([deps.catalog(), deps.availableMemory(), library.list()]);
      return catalogItems(entries, available, models);
    },
    'downloads.list': () => downloads.list(),
    'downloads.start': async (input) => {
      if ('uri' in input) return downloads.start({ uri: input.uri });
      const entry = (await deps.catalog()).find((e) => e.id === input.catalogId);
      if (!entry) throw new CodedError('NOT_FOUND', `No catalog model "${input.catalogId}"`);
      return downloads.startCatalog(entry);
    },
    'downloads.pause': ({ downloadId }) => downloads.pause(downloadId),
    'downloads.resume': ({ downloadId }) => downloads.resume(downloadId),
    'downloads.cancel': ({ downloadId }) => downloads.cancel(downloadId),
    'models.remove': async ({ modelId }) => {
      const path = await removeModel(modelId, deps);
      deps.onModelsChanged();
      return { removed: path };
    },
  };
}

/** Deletes a model file, only from inside a models folder (never an arbitrary path), unloading it first. */
export async function removeModel(modelId: string, deps: Pick<DownloadHandlerDeps, 'library' | 'runtime' | 'modelsDirs'>): Promise<string> {
  const models = await deps.library.list(true);
  const model = models.find((m) => m.id === modelId) ?? models.find((m) => m.name === modelId || m.path === resolve(modelId));
  if (!model) throw new CodedError('MODEL_NOT_FOUND', `No model "${modelId}" in the models folders.`);
  const inside = deps.modelsDirs().some((dir) => {
    const rel = relative(resolve(dir), model.path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
  if (!inside) throw new CodedError('CONFLICT', `${model.path} is not inside a models folder; Tandem only deletes files it manages.`);
  await deps.runtime.unload(model.path).catch(() => false);
  await rm(model.path, { force: true });
  await deps.library.list(true);
  return model.path;
}

/** Catalog entries with the fit estimate for `availableBytes` and whether the file is already there. */
export function catalogItems(entries: CatalogEntry[], availableBytes: number, models: LocalModel[]): CatalogItem[] {
  return entries.map((entry) => {
    const requiredBytes = estimateRequiredBytes(entry);
    return { ...entry, fit: { requiredBytes, availableBytes, fits: requiredBytes <= availableBytes }, installed: isInstalled(entry, models) };
  });
}

function isInstalled(entry: CatalogEntry, models: LocalModel[]): boolean {
  const spec = entry.uri.replace(/^hf:(\/\/)?/, '');
  const file = spec.split('/').length > 2 ? spec.split('/').pop()! : null;
  const names = models.map((m) => m.name.toLowerCase());
  if (file) return names.includes(file.replace(/\.gguf$/i, '').toLowerCase());
  const [repoPath, quant = 'Q4_K_M'] = spec.split(':');
  const base = (repoPath!.split('/')[1] ?? '').replace(/-gguf$/i, '').toLowerCase();
  return names.some((name) => name.startsWith(base) && name.includes(quant.toLowerCase()));
}
