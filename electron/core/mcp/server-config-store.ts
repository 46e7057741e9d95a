import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import {
  McpServerNameSchema,
  ToolApprovalPolicySchema,
  type McpAuthConfigInput,
  type McpAuthConfigView,
  type McpServerConfigInput,
  type McpServerConfigView,
  type ToolApprovalPolicy,
} from '../../../shared/ipc/routes/mcp';
import { writeFileAtomic } from '../fs/atomic-write';
import { loadConfigFile, type ConfigFileProblem } from '../fs/config-file';
import type { SecretCipher } from '../providers/secret-store';
import type { ResolvedAuthConfig } from './auth/server-auth';

export const DEFAULT_TIMEOUT_MS = 60_000;

const ToolPolicySchema = z.object({ enabled: z.boolean().optional(), approval: ToolApprovalPolicySchema.optional() });

/** An HTTP server's sign-in config as stored: the client secret and private key only ever sealed. */
const AuthRecordSchema = z.object({
  type: z.enum(['none', 'oauth', 'client-credentials']),
  clientId: z.string().nullable(),
  sealedClientSecret: z.string().nullable(),
  sealedPrivateKey: z.string().nullable(),
  signingAlgorithm: z.string().nullable(),
  scope: z.string().nullable(),
});
type AuthRecord = z.infer<typeof AuthRecordSchema>;
/** Left out (and for records saved before issue 13): OAuth with discovery when the server answers 401. */
const DEFAULT_AUTH: AuthRecord = { type: 'oauth', clientId: null, sealedClientSecret: null, sealedPrivateKey: null, signingAlgorithm: null, scope: null };

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
  /** [issue 15] A stdio server added from an imported file or by a client other than the window: not started until the user allows it there. */
  needsConfirmation: z.boolean().optional(),
  /** HTTP servers only. */
  auth: AuthRecordSchema.optional(),
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
  /** How an HTTP server is signed in to (stdio: none). */
  auth: ResolvedAuthConfig;
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
  /** Why the file on disk could not be used, when it could not: it was kept aside (issue 15's one config loader). */
  configProblem: ConfigFileProblem | null = null;

  get loadProblem(): string | null {
    return this.configProblem?.message ?? null;
  }

  constructor(
    private readonly path: string,
    private readonly cipher: SecretCipher,
  ) {}

  async load(): Promise<void> {
    const result = await loadConfigFile(this.path, { schema: FileSchema, fallback: 'Tandem started with no MCP servers' });
    if (result.status === 'loaded') this.records = result.value.servers;
    if (result.status === 'invalid') this.configProblem = result.problem;
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
    const auth = await this.resolveAuth(r);
    const authSecrets = auth.type === 'none' ? [] : [auth.clientSecret, auth.type === 'client-credentials' ? auth.privateKeyPem : null].filter((s): s is string => !!s);
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
      auth,
      secrets: [...Object.values(secretEnv), ...Object.values(secretHeaders), ...authSecrets],
    };
  }

  private async resolveAuth(r: McpServerRecord): Promise<ResolvedAuthConfig> {
    if (r.transport !== 'http') return { type: 'none' };
    const a = r.auth ?? DEFAULT_AUTH;
    const open = (sealed: string | null) => (sealed ? this.cipher.decrypt(sealed) : Promise.resolve(null));
    if (a.type === 'none') return { type: 'none' };
    if (a.type === 'oauth') return { type: 'oauth', clientId: a.clientId, clientSecret: await open(a.sealedClientSecret), scope: a.scope };
    return {
      type: 'client-credentials',
      clientId: a.clientId ?? '',
      clientSecret: await open(a.sealedClientSecret),
      privateKeyPem: await open(a.sealedPrivateKey),
      signingAlgorithm: a.signingAlgorithm ?? 'RS256',
      scope: a.scope,
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
      auth: r.transport === 'http' ? this.authView(r) : null,
    };
  }

  private authView(r: McpServerRecord): McpAuthConfigView {
    const a = r.auth ?? DEFAULT_AUTH;
    return {
      type: a.type,
      clientId: a.clientId,
      clientSecret: a.sealedClientSecret ? (this.masks.get(`${r.name}\0auth\0clientSecret`) ?? '••••') : null,
      privateKey: a.sealedPrivateKey !== null,
      signingAlgorithm: a.signingAlgorithm,
      scope: a.scope,
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
      ...(previous?.needsConfirmation ? { needsConfirmation: true } : {}),
    };
    if (input.transport === 'stdio') {
      const split = await this.split(input.env ?? {}, input.secretEnv ?? [], previous?.sealedEnv ?? {});
      return { ...base, command: input.command, args: input.args ?? [], env: split.plain, sealedEnv: split.sealed, cwd: input.cwd ?? null, url: null, headers: {}, sealedHeaders: {} };
    }
    const split = await this.split(input.headers ?? {}, input.secretHeaders ?? [], previous?.sealedHeaders ?? {});
    const auth = await this.authRecord(input.auth, previous?.transport === 'http' ? (previous.auth ?? DEFAULT_AUTH) : null);
    return { ...base, command: null, args: [], env: {}, sealedEnv: {}, cwd: null, url: input.url, headers: split.plain, sealedHeaders: split.sealed, auth };
  }

  /** Seals the client secret / private key; one left out keeps the stored value when the type and client id are the same. */
  private async authRecord(input: McpAuthConfigInput | undefined, previous: AuthRecord | null): Promise<AuthRecord> {
    if (!input) return previous ?? DEFAULT_AUTH;
    if (input.type === 'none') return { ...DEFAULT_AUTH, type: 'none' };
    const same = previous !== null && previous.type === input.type && previous.clientId === (input.clientId ?? null);
    const seal = async (value: string | undefined, kept: string | null | undefined) => (value ? this.cipher.encrypt(value) : same ? (kept ?? null) : null);
    if (input.type === 'oauth') {
      if (input.clientSecret && !input.clientId) throw new CodedError('INVALID_INPUT', 'A client secret needs its client id');
      return { ...DEFAULT_AUTH, clientId: input.clientId ?? null, sealedClientSecret: await seal(input.clientSecret, previous?.sealedClientSecret), scope: input.scope?.trim() || null };
    }
    const record: AuthRecord = {
      type: 'client-credentials',
      clientId: input.clientId,
      sealedClientSecret: input.privateKeyPem ? null : await seal(input.clientSecret, previous?.sealedClientSecret),
      sealedPrivateKey: input.clientSecret ? null : await seal(input.privateKeyPem, previous?.sealedPrivateKey),
      signingAlgorithm: null,
      scope: input.scope?.trim() || null,
    };
    if (record.sealedPrivateKey) record.signingAlgorithm = input.signingAlgorithm ?? (same ? previous?.signingAlgorithm : null) ?? 'RS256';
    if (!record.sealedClientSecret && !record.sealedPrivateKey) throw new CodedError('INVALID_INPUT', 'Client credentials need a client secret or a private key');
    return record;
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
    const authSealed: Record<string, string> = record.auth?.sealedClientSecret ? { clientSecret: record.auth.sealedClientSecret } : {};
    for (const [kind, sealed] of [['env', record.sealedEnv], ['header', record.sealedHeaders], ['auth', authSealed]] as const) {
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
    await Promise.all(changed.map((r) => this.refreshMasks(r)));
  }
}
