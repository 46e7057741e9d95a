import { join } from 'node:path';
import type { Settings } from '../../shared/ipc/domain';
import type { IndexProgress } from '../../shared/ipc/routes/documents';
import { DocumentService } from '../../electron/core/documents/document-service';
import type { Rerankers } from '../../electron/core/documents/reranker';
import { EmbedderResolver } from '../../electron/core/documents/document-embedder';
import { EmbeddingService } from '../../electron/core/models/embedding-service';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { RecordingLogger } from '../support/test-logger';
import { DEFAULT_SETTINGS } from '../../electron/core/settings/settings-store';

/** A DocumentService on a temp data dir with a real runtime (CPU) and the models in `modelsDirs`. */
export interface DocsHarness {
  service: DocumentService;
  runtime: LocalRuntime;
  progress: IndexProgress[];
  changed: (string | null)[];
  settings: Settings['documents'];
  logger: RecordingLogger;
  dispose(): Promise<void>;
}

export async function openDocs(options: {
  dataDir: string;
  modelsDirs?: string[];
  watch?: boolean;
  settings?: Partial<Settings['documents']>;
  openPath?: (path: string, page?: number) => Promise<void>;
  rerankers?: Rerankers;
}): Promise<DocsHarness> {
  const logger = new RecordingLogger();
  const settings: Settings['documents'] = { ...DEFAULT_SETTINGS.documents, ...options.settings };
  const library = new ModelLibrary(() => options.modelsDirs ?? []);
  const runtime = new LocalRuntime({ logger, gpu: false, threads: () => ({ generation: 'auto', batch: 'auto' }), contextSize: () => 'auto' });
  const embeddings = new EmbeddingService(runtime);
  const progress: IndexProgress[] = [];
  const changed: (string | null)[] = [];
  const service = new DocumentService({
    root: join(options.dataDir, 'documents'),
    databaseUri: () => settings.databaseUri ?? join(options.dataDir, 'lancedb'),
    settings: () => settings,
    embedders: new EmbedderResolver({ library, runtime, embeddings, modelId: () => settings.embeddingModelId }),
    logger,
    watch: options.watch ?? false,
    onProgress: (p) => progress.push(p),
    onChanged: (id) => changed.push(id),
    openPath: options.openPath,
    rerankers: options.rerankers,
  });
  await service.init();
  return {
    service,
    runtime,
    progress,
    changed,
    settings,
    logger,
    dispose: async () => {
      await service.dispose();
      await runtime.dispose();
    },
  };
}
