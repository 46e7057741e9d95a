import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { z } from 'zod';
import { writeFileAtomic } from '../../fs/atomic-write';
import { loadConfigFile, type ConfigFileProblem } from '../../fs/config-file';
import type { SecretCipher } from '../../providers/secret-store';

/** What Tandem keeps about one server's sign-in. Sealed as a whole: the file shows none of it. */
export interface ServerAuthData {
  tokens?: OAuthTokens;
  /** Epoch ms the access token expires (from `expires_in` when saved). */
  expiresAt?: number | null;
  /** The registration (DCR, CIMD URL or the configured id), stamped with its issuer by the SDK. */
  clientInformation?: OAuthClientInformationMixed;
  /** True when `clientInformation` came from dynamic registration (sign-out forgets it). */
  registered?: boolean;
  discovery?: OAuthDiscoveryState;
  /** The loopback redirect URI registered with the AS (its port is reused while free). */
  redirectUrl?: string;
  /** "Connected as …" when the token said who. */
  account?: string | null;
}

const EntrySchema = z.object({
  /** The server URL the tokens were issued for: a different URL drops them. */
  resource: z.string(),
  /** Auth config fingerprint (type + client id): a different one drops them. */
  configKey: z.string(),
  sealed: z.string(),
});
const FileSchema = z.object({ version: z.literal(1), servers: z.record(z.string(), EntrySchema) });
type Entry = z.infer<typeof EntrySchema>;

/**
 * `mcp-auth.json` in the data dir: each HTTP server's tokens, client
 * registration and discovery state, sealed with the same cipher as provider
 * keys and MCP secret headers, keyed by server name and bound to the server's
 * URL (tokens are only ever used for the resource they were issued for).
 *
 * The app and the CLI (`tandem mcp login`) may hold the file at once, so
 * nothing is cached between calls but decrypted entries (keyed by their sealed
 * text): every read reads the file, and every write re-reads it and replaces
 * or removes only the one server's entry. A file that is not valid JSON or
 * does not match the format is kept aside (`mcp-auth.json.invalid-<time>`,
 * reported in {@link configProblem}) rather than overwritten.
 */
export class AuthStore {
  private readonly cache = new Map<string, { sealed: string; data: ServerAuthData }>();
  private queue: Promise<void> = Promise.resolve();
  /** Why `mcp-auth.json` could not be used (it was kept aside); the first such problem. */
  configProblem: ConfigFileProblem | null = null;

  constructor(
    private readonly path: string,
    private readonly cipher: SecretCipher,
    private readonly options: { onProblem?: (problem: ConfigFileProblem) => void; now?: () => Date } = {},
  ) {}

  /** Reads the file once so a broken one is kept aside and reported now (start-up), not at the first sign-in. */
  async check(): Promise<void> {
    await this.read();
  }

  /** The server's data when it belongs to `resource` and `configKey`; otherwise (and then dropped) empty. */
  async get(name: string, resource: string, configKey: string): Promise<ServerAuthData> {
    const entries = await this.read();
    const entry = entries[name];
    if (!entry) {
      this.cache.delete(name);
      return {};
    }
    if (entry.resource !== resource || entry.configKey !== configKey) {
      await this.delete(name, entry.sealed);
      return {};
    }
    const cached = this.cache.get(name);
    if (cached?.sealed === entry.sealed) return structuredClone(cached.data);
    try {
      const data = JSON.parse(await this.cipher.decrypt(entry.sealed)) as ServerAuthData;
      this.cache.set(name, { sealed: entry.sealed, data });
      return structuredClone(data);
    } catch {
      // Sealed by a key we no longer have: sign in again.
      await this.delete(name, entry.sealed);
      return {};
    }
  }

  async set(name: string, resource: string, configKey: string, data: ServerAuthData): Promise<void> {
    const sealed = await this.cipher.encrypt(JSON.stringify(data));
    await this.write((entries) => {
      entries[name] = { resource, configKey, sealed };
      this.cache.set(name, { sealed, data: structuredClone(data) });
      return true;
    });
  }

  /** Removes the server's entry; with `onlyIf`, only while the entry on disk is still that sealed text (another process may have just signed in). */
  async delete(name: string, onlyIf?: string): Promise<void> {
    await this.write((entries) => {
      const entry = entries[name];
      if (!entry || (onlyIf !== undefined && entry.sealed !== onlyIf)) return false;
      delete entries[name];
      this.cache.delete(name);
      return true;
    });
  }

  /** The file as it is now: missing means nobody is signed in; a broken one is kept aside and reported, then treated as empty. */
  private async read(): Promise<Record<string, Entry>> {
    let result;
    try {
      result = await loadConfigFile(this.path, {
        schema: FileSchema,
        fallback: 'MCP servers that need a sign-in will ask for one again',
        now: this.options.now,
      });
    } catch (error) {
      // Another process kept the broken file aside a moment ago.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    if (result.status === 'loaded') return result.value.servers;
    if (result.status === 'invalid') {
      this.configProblem ??= result.problem;
      this.options.onProblem?.(result.problem);
    }
    return {};
  }

  /** Serialized read-modify-write of the one entry `change` touches, atomic on disk; `change` answers whether anything changed. */
  private write(change: (entries: Record<string, Entry>) => boolean): Promise<void> {
    const run = this.queue.then(async () => {
      const entries = await this.read();
      if (!change(entries)) return;
      await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, servers: entries }, null, 2)}\n`);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
