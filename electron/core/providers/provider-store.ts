import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import { PresetIdSchema, ProviderNameSchema } from '../../../shared/ipc/routes/providers';
import { writeFileAtomic } from '../fs/atomic-write';
import { loadConfigFile, type ConfigFileProblem } from '../fs/config-file';

export const ProviderRecordSchema = z.object({
  name: ProviderNameSchema,
  preset: PresetIdSchema,
  baseUrl: z.string().min(1),
  apiKeyEnv: z.string().nullable(),
  /** Sealed by the SecretCipher; never the key itself. */
  sealedKey: z.string().nullable(),
  /** Extra headers, values sealed like the key (they may be tokens). */
  sealedHeaders: z.record(z.string(), z.string()),
  requestTimeoutMs: z.number().int().positive().optional(),
  idleTimeoutMs: z.number().int().positive().optional(),
});
export type ProviderRecord = z.infer<typeof ProviderRecordSchema>;

const FileSchema = z.object({ version: z.literal(1), providers: z.array(ProviderRecordSchema) });

/** `providers.json` in the data dir: validated on load, written atomically. */
export class ProviderStore {
  private records: ProviderRecord[] = [];
  /** Why the file on disk could not be used, when it could not: it was kept aside and the user is told. */
  configProblem: ConfigFileProblem | null = null;

  constructor(private readonly path: string) {}

  /** The message of `configProblem`, for logs. */
  get loadProblem(): string | null {
    return this.configProblem?.message ?? null;
  }

  async load(): Promise<void> {
    const result = await loadConfigFile(this.path, { schema: FileSchema, fallback: 'Tandem started with no providers' });
    if (result.status === 'loaded') this.records = result.value.providers;
    if (result.status === 'invalid') this.configProblem = result.problem;
  }

  list(): ProviderRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  find(name: string): ProviderRecord | undefined {
    return this.records.find((r) => r.name === name);
  }

  get(name: string): ProviderRecord {
    const record = this.find(name);
    if (!record) throw new CodedError('NOT_FOUND', `No provider named "${name}"; add it first (tandem providers add ${name} --base-url URL)`);
    return record;
  }

  async add(record: ProviderRecord): Promise<ProviderRecord> {
    if (this.find(record.name)) throw new CodedError('CONFLICT', `A provider named "${record.name}" already exists`);
    await this.save([...this.records, ProviderRecordSchema.parse(record)]);
    return record;
  }

  async update(name: string, change: (record: ProviderRecord) => ProviderRecord): Promise<ProviderRecord> {
    const next = ProviderRecordSchema.parse(change({ ...this.get(name) }));
    await this.save(this.records.map((r) => (r.name === name ? next : r)));
    return next;
  }

  async remove(name: string): Promise<void> {
    this.get(name);
    await this.save(this.records.filter((r) => r.name !== name));
  }

  private async save(records: ProviderRecord[]): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, providers: records }, null, 2)}\n`);
    this.records = records;
  }
}
