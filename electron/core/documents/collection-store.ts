import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DocumentTypeSchema, IndexFailureSchema, SourceSchema, type Source } from '../../../shared/ipc/routes/documents';
import { writeFileAtomic } from '../fs/atomic-write';
import { loadConfigFile, type ConfigFileProblem } from '../fs/config-file';

/** The model the vectors of a collection came from; a different identity means every chunk is embedded again. */
export const EmbedderIdentitySchema = z.object({
  modelId: z.string(),
  /** SHA-256 of the file's head and tail plus its size: cheap, and changes when the file does. */
  fingerprint: z.string(),
  sizeBytes: z.number(),
  dimensions: z.number().int().positive(),
});
export type EmbedderIdentity = z.infer<typeof EmbedderIdentitySchema>;

const CollectionRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  sources: z.array(SourceSchema),
  createdAt: z.string(),
  lastIndexedAt: z.string().nullable(),
  /** The reranking model chosen for this collection's searches (absent in files written before it existed). */
  reranker: z.object({ modelId: z.string() }).nullable().optional(),
});
export type CollectionRecord = z.infer<typeof CollectionRecordSchema>;

const CollectionsFileSchema = z.object({ version: z.literal(1), collections: z.array(CollectionRecordSchema) });

/** One file the collection has seen: what it was when indexed, or why it could not be. */
export const FileEntrySchema = z.object({
  path: z.string(),
  type: DocumentTypeSchema.nullable(),
  sizeBytes: z.number().nonnegative(),
  mtimeMs: z.number(),
  /** SHA-256 of the content; '' when the file was never read (a scan failure). */
  hash: z.string(),
  chunks: z.number().int().nonnegative(),
  indexedAt: z.string().nullable(),
  localOnly: z.boolean(),
  error: IndexFailureSchema.nullable(),
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

const FileRegistrySchema = z.object({
  version: z.literal(1),
  /** Identity of the vectors in the table; null when it was built without an embedder (text only). */
  embedder: EmbedderIdentitySchema.nullable(),
  /** False until the table was created for this registry. */
  tableReady: z.boolean(),
  files: z.array(FileEntrySchema),
});
export type FileRegistry = z.infer<typeof FileRegistrySchema>;

/**
 * The collections registry (`documents/collections.json`) and each
 * collection's file registry (`documents/<id>/files.json`), both written
 * atomically. A file registry is written only after the LanceDB writes it
 * describes, so it never claims chunks the table lacks.
 */
export class CollectionStore {
  private collections: CollectionRecord[] = [];
  private readonly registries = new Map<string, FileRegistry>();
  /** Why `collections.json` could not be used at load (it was kept aside), for the app notices. */
  configProblem: ConfigFileProblem | null = null;

  constructor(readonly root: string) {}

  async load(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const result = await loadConfigFile(this.collectionsPath(), {
      schema: CollectionsFileSchema,
      fallback: 'Tandem started with no collections (your documents were not touched; index them again)',
    });
    this.collections = result.status === 'loaded' ? result.value.collections : [];
    this.configProblem = result.status === 'invalid' ? result.problem : null;
  }

  list(): CollectionRecord[] {
    return [...this.collections];
  }

  get(id: string): CollectionRecord | undefined {
    return this.collections.find((c) => c.id === id);
  }

  byName(name: string): CollectionRecord | undefined {
    const wanted = name.trim().toLowerCase();
    return this.collections.find((c) => c.name.toLowerCase() === wanted);
  }

  async put(record: CollectionRecord): Promise<void> {
    const index = this.collections.findIndex((c) => c.id === record.id);
    if (index >= 0) this.collections[index] = record;
    else this.collections.push(record);
    await this.saveCollections();
  }

  async remove(id: string): Promise<void> {
    this.collections = this.collections.filter((c) => c.id !== id);
    this.registries.delete(id);
    await this.saveCollections();
    await rm(this.dir(id), { recursive: true, force: true });
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  async registry(id: string): Promise<FileRegistry> {
    let registry = this.registries.get(id);
    if (!registry) {
      try {
        const parsed = FileRegistrySchema.safeParse(JSON.parse(await readFile(join(this.dir(id), 'files.json'), 'utf8')));
        registry = parsed.success ? parsed.data : emptyRegistry();
      } catch {
        registry = emptyRegistry();
      }
      this.registries.set(id, registry);
    }
    return registry;
  }

  /** Writes the registry; `sync: false` between batches of a job (safe against a killed process), true at the end. */
  async saveRegistry(id: string, registry: FileRegistry, options: { sync?: boolean } = {}): Promise<void> {
    this.registries.set(id, registry);
    await writeFileAtomic(join(this.dir(id), 'files.json'), JSON.stringify(registry), { sync: options.sync ?? true });
  }

  private collectionsPath(): string {
    return join(this.root, 'collections.json');
  }

  private async saveCollections(): Promise<void> {
    await writeFileAtomic(this.collectionsPath(), JSON.stringify({ version: 1, collections: this.collections }, null, 2));
  }
}

export function emptyRegistry(): FileRegistry {
  return { version: 1, embedder: null, tableReady: false, files: [] };
}

export type { Source };
