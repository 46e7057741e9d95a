import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import {
  McpServerNameSchema,
  ToolApprovalPolicySchema,
  type McpServerConfigInput,
  type McpServerConfigView,
  type ToolApprovalPolicy,
} from '../../../shared/ipc/routes/mcp';
import { writeFileAtomic } from '../fs/atomic-write';
import type { SecretCipher } from '../providers/secret-store';

export const DEFAULT_TIMEOUT_MS = 60_000;

const ToolPolicySchema = z.object({ enabled: z.boolean().optional(), approval: ToolApprovalPolicySchema.optional() });

/** One server as stored in `mcp-servers.json`: secret values only ever sealed. */
export const McpServerRecordSchema = z.object({
  name: McpServerNameSchema,
  transport: z.enum(['stdio', 'http']),
  enabled: z.boolean(),
  timeoutMs: z.number().int().positive(),
  command: z.string().nullable(),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  sealedEnv: z.record(z.string(), z.string()),
  cwd: z.string().nullable(),
  url: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  sealedHeaders: z.record(z.string(), z.string()),
  tools: z.record(z.string(), ToolPolicySchema),
});
export type McpServerRecord = z.infer<typeof McpServerRecordSchema>;

const FileSchema = z.object({ version: z.literal(1), servers: z.array(McpServerRecordSchema) });

/** A record with its secrets opened: what a connection needs, never what leaves core. */
export interface ResolvedServerConfig {
  name: string;
  transport: 'stdio' | 'http';
  timeoutMs: number;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  /** Every secret value, so logs can be redacted. */
  secrets: string[];
}

/** `••••` plus the last four characters (none for short secrets). */
export function maskSecret(value: string): string {
  return value.length >= 8 ? `••••${value.slice(-4)}` : '••••';
}

/**
 * `mcp-servers.json` in the data dir: validated on load, written atomically,
 * secret env values and headers sealed with the same cipher as provider keys.
 */
export class ServerConfigStore {
  private records: McpServerRecord[] = [];
  private readonly masks = new Map<string, string>();
  /** Why the file on disk could not be used, when it could not. */
  loadProblem: string | null = null;

  constructor(
    private readonly path: string,
    private readonly cipher: SecretCipher,
  ) {}

  async load(): Promise<void> {
    let raw: string;
    try {
      raw = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const parsed = FileSchema.safeParse(JSON.parse(raw));
      if (parsed.success) this.records = parsed.data.servers;
      else this.loadProblem = `mcp-servers.json is not valid (${parsed.error.issues[0]?.message}); starting with no MCP servers`;
    } catch {
      this.loadProblem = 'mcp-servers.json is not valid JSON; starting with no MCP servers';
    }
    await Promise.all(this.records.map((r) => this.refreshMasks(r)));
  }

  list(): McpServerRecord[] {
    return this.records.map((r) => structuredClone(r));
  }

  find(name: string): McpServerRecord | undefined {
    return this.records.find((r) => r.name === name);
  }

  get(name: string): McpServerRecord {
    const record = this.find(name);
    if (!record) throw new CodedError('NOT_FOUND', `No MCP server named "${name}"; add it first (tandem mcp add ${name} -- COMMAND)`);
    return record;
  }

  async add(input: McpServerConfigInput): Promise<McpServerRecord> {
    if (this.find(input.name)) throw new CodedError('CONFLICT', `An MCP server named "${input.name}" already exists`);
    const record = await this.toRecord(input, null);
    await this.save([...this.records, record]);
    return record;
  }

  /** Replaces a server's config; secrets named but left empty keep their stored values, tool policies are kept. */
  async update(input: McpServerConfigInput): Promise<McpServerRecord> {
    const previous = this.get(input.name);
    const record = await this.toRecord(input, previous);
    await this.save(this.records.map((r) => (r.name === input.name ? record : r)));
    return record;
  }

  async remove(name: string): Promise<void> {
    this.get(name);
    await this.save(this.records.filter((r) => r.name !== name));
  }

  async patch(name: string, change: (record: McpServerRecord) => void): Promise<McpServerRecord> {
    const next = structuredClone(this.get(name));
    change(next);
    const parsed = McpServerRecordSchema.parse(next);
    await this.save(this.records.map((r) => (r.name === name ? parsed : r)));
    return parsed;
  }

  async resolve(name: string): Promise<ResolvedServerConfig> {
    const r = this.get(name);
    const openAll = async (sealed: Record<string, string>) =>
      Object.fromEntries(await Promise.all(Object.entries(sealed).map(async ([k, v]) => [k, await this.cipher.decrypt(v)] as const)));
    const secretEnv = await openAll(r.sealedEnv);
    const secretHeaders = await openAll(r.sealedHeaders);
    return {
      name: r.name,
      transport: r.transport,
      timeoutMs: r.timeoutMs,
      command: r.command,
      args: [...r.args],
      env: { ...r.env, ...secretEnv },
      cwd: r.cwd,
      url: r.url,
      headers: { ...r.headers, ...secretHeaders },
      secrets: [...Object.values(secretEnv), ...Object.values(secretHeaders)],
    };
  }

  /** The config as the UI sees it: secret values masked. */
  view(name: string): McpServerConfigView {
    const r = this.get(name);
    const shown = (plain: Record<string, string>, sealed: Record<string, string>, kind: string) => ({
      ...Object.fromEntries(Object.entries(plain).map(([k, value]) => [k, { value, secret: false }])),
      ...Object.fromEntries(Object.keys(sealed).map((k) => [k, { value: this.masks.get(`${r.name}\0${kind}\0${k}`) ?? '••••', secret: true }])),
    });
    return {
      name: r.name,
      transport: r.transport,
      enabled: r.enabled,
      timeoutMs: r.timeoutMs,
      command: r.command,
      args: [...r.args],
      env: shown(r.env, r.sealedEnv, 'env'),
      cwd: r.cwd,
      url: r.url,
      headers: shown(r.headers, r.sealedHeaders, 'header'),
      // Issue 13 (OAuth helper): the stored auth config, secrets masked.
      auth: r.transport === 'http' ? { type: 'none', clientId: null, clientSecret: null, privateKey: false, signingAlgorithm: null, scope: null } : null,
    };
  }

  toolPolicy(name: string, tool: string): { enabled: boolean; approval: ToolApprovalPolicy } {
    const policy = this.find(name)?.tools[tool];
    return { enabled: policy?.enabled ?? true, approval: policy?.approval ?? 'ask' };
  }

  private async toRecord(input: McpServerConfigInput, previous: McpServerRecord | null): Promise<McpServerRecord> {
    const base = {
      name: input.name,
      transport: input.transport,
      enabled: input.enabled ?? previous?.enabled ?? true,
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      tools: previous?.tools ?? {},
    };
    if (input.transport === 'stdio') {
      const split = await this.split(input.env ?? {}, input.secretEnv ?? [], previous?.sealedEnv ?? {});
      return { ...base, command: input.command, args: input.args ?? [], env: split.plain, sealedEnv: split.sealed, cwd: input.cwd ?? null, url: null, headers: {}, sealedHeaders: {} };
    }
    const split = await this.split(input.headers ?? {}, input.secretHeaders ?? [], previous?.sealedHeaders ?? {});
    return { ...base, command: null, args: [], env: {}, sealedEnv: {}, cwd: null, url: input.url, headers: split.plain, sealedHeaders: split.sealed };
  }

  /** Plain values stay plain; secret ones are sealed; a secret named without a value keeps the stored one. */
  private async split(values: Record<string, string>, secretKeys: readonly string[], previousSealed: Record<string, string>) {
    const secret = new Set(secretKeys);
    const plain: Record<string, string> = {};
    const sealed: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) if (!secret.has(key)) plain[key] = value;
    for (const key of secret) {
      const value = values[key];
      if (value) sealed[key] = await this.cipher.encrypt(value);
      else if (previousSealed[key]) sealed[key] = previousSealed[key];
      else throw new CodedError('INVALID_INPUT', `The secret ${key} has no value; give one`);
    }
    return { plain, sealed };
  }

  private async refreshMasks(record: McpServerRecord): Promise<void> {
    for (const [kind, sealed] of [['env', record.sealedEnv], ['header', record.sealedHeaders]] as const) {
      for (const [key, value] of Object.entries(sealed)) {
        const mask = await this.cipher.decrypt(value).then(maskSecret, () => '•••• (cannot be read; set it again)');
        this.masks.set(`${record.name}\0${kind}\0${key}`, mask);
      }
    }
  }

  private async save(records: McpServerRecord[]): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, servers: records }, null, 2)}\n`);
    const changed = records.filter((r) => !this.records.includes(r));
    this.records = records;
    this.loadProblem = null;
    await Promise.all(changed.map((r) => this.refreshMasks(r)));
  }
}
