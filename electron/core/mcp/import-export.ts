import { McpServerConfigInputSchema, type McpServerConfigInput } from '../../../shared/ipc/routes/mcp';
import type { McpServerRecord } from './server-config-store';

/** Env names and headers that hold credentials are stored sealed when imported. */
const SECRET_ENV = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PAT|CREDENTIALS?|AUTH)$/i;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$|token|secret|key$/i;

export interface ParsedImport {
  servers: McpServerConfigInput[];
  skipped: { name: string; reason: string }[];
}

/**
 * Reads the `mcpServers` object of a Claude Desktop `claude_desktop_config.json`
 * or any `mcp.json` (VS Code's `servers` too). Entries Tandem cannot use are
 * skipped with a reason; the rest are valid `mcp.add` inputs.
 */
export function parseMcpServersJson(content: string): ParsedImport {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return { servers: [], skipped: [{ name: '(file)', reason: `not valid JSON (${(error as Error).message})` }] };
  }
  const root = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  const entries = root ? (root.mcpServers ?? root.servers ?? (root.mcp as Record<string, unknown> | undefined)?.servers) : undefined;
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    return { servers: [], skipped: [{ name: '(file)', reason: 'has no "mcpServers" object' }] };
  }
  const servers: McpServerConfigInput[] = [];
  const skipped: ParsedImport['skipped'] = [];
  for (const [name, raw] of Object.entries(entries as Record<string, unknown>)) {
    const converted = convertEntry(name, raw);
    if ('reason' in converted) {
      skipped.push({ name, reason: converted.reason });
      continue;
    }
    const parsed = McpServerConfigInputSchema.safeParse(converted.input);
    if (parsed.success) servers.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      skipped.push({ name, reason: `${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}` });
    }
  }
  return { servers, skipped };
}

function convertEntry(name: string, raw: unknown): { input: unknown } | { reason: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { reason: 'not an object' };
  const entry = raw as Record<string, unknown>;
  const common = {
    name,
    ...(entry.disabled === true ? { enabled: false } : {}),
    ...(typeof entry.timeout === 'number' && entry.timeout >= 1000 ? { timeoutMs: entry.timeout } : {}),
  };
  const type = typeof entry.type === 'string' ? entry.type : undefined;
  if (typeof entry.command === 'string' && (type === undefined || type === 'stdio')) {
    const env = isStringRecord(entry.env) ? entry.env : undefined;
    if (entry.env !== undefined && !env) return { reason: 'env must be an object of strings' };
    if (entry.args !== undefined && !(Array.isArray(entry.args) && entry.args.every((a) => typeof a === 'string'))) return { reason: 'args must be a list of strings' };
    const secretEnv = Object.keys(env ?? {}).filter((k) => SECRET_ENV.test(k) && env![k]);
    return {
      input: {
        transport: 'stdio',
        ...common,
        command: entry.command,
        ...(entry.args ? { args: entry.args } : {}),
        ...(env ? { env } : {}),
        ...(secretEnv.length ? { secretEnv } : {}),
        ...(typeof entry.cwd === 'string' && entry.cwd ? { cwd: entry.cwd } : {}),
      },
    };
  }
  const url = typeof entry.url === 'string' ? entry.url : typeof entry.serverUrl === 'string' ? entry.serverUrl : undefined;
  if (url !== undefined && (type === undefined || ['sse', 'http', 'streamable-http', 'streamableHttp'].includes(type))) {
    const headers = isStringRecord(entry.headers) ? entry.headers : undefined;
    if (entry.headers !== undefined && !headers) return { reason: 'headers must be an object of strings' };
    const secretHeaders = Object.keys(headers ?? {}).filter((k) => SECRET_HEADER.test(k) && headers![k]);
    return { input: { transport: 'http', ...common, url, ...(headers ? { headers } : {}), ...(secretHeaders.length ? { secretHeaders } : {}) } };
  }
  if (type && !['stdio', 'sse', 'http', 'streamable-http'].includes(type)) return { reason: `transport type "${type}" is not supported` };
  return { reason: 'needs either "command" (stdio) or "url" (HTTP)' };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/**
 * The servers as an `mcpServers` file Claude Desktop and other hosts read.
 * Secret values never leave: those entries are left out and listed in `_tandemNote`.
 */
export function exportMcpServersJson(records: readonly McpServerRecord[]): { filename: string; mimeType: string; content: string } {
  const mcpServers: Record<string, unknown> = {};
  const leftOut: string[] = [];
  for (const r of records) {
    for (const key of Object.keys(r.sealedEnv)) leftOut.push(`${r.name}: env ${key}`);
    for (const key of Object.keys(r.sealedHeaders)) leftOut.push(`${r.name}: header ${key}`);
    mcpServers[r.name] =
      r.transport === 'stdio'
        ? { command: r.command, args: r.args, ...(Object.keys(r.env).length ? { env: r.env } : {}), ...(r.cwd ? { cwd: r.cwd } : {}), ...(r.enabled ? {} : { disabled: true }) }
        : { type: 'http', url: r.url, ...(Object.keys(r.headers).length ? { headers: r.headers } : {}), ...(r.enabled ? {} : { disabled: true }) };
  }
  const note = leftOut.length ? { _tandemNote: `Secret values were left out; add them again: ${leftOut.join('; ')}` } : {};
  return {
    filename: leftOut.length ? 'mcp-servers-without-secrets.json' : 'mcp-servers.json',
    mimeType: 'application/json',
    content: `${JSON.stringify({ ...note, mcpServers }, null, 2)}\n`,
  };
}
