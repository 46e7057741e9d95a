import { join } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import type {
  McpCallResult,
  McpServerConfigInput,
  McpServerStatus,
  McpTool,
  ToolApprovalPolicy,
} from '../../../shared/ipc/routes/mcp';
import type { Logger } from '../app/logger';
import { FallbackCipher, FileKeyCipher, type SecretCipher } from '../providers/secret-store';
import { exportMcpServersJson, parseMcpServersJson } from './import-export';
import { LoginShellPath } from './login-shell-path';
import { DEFAULT_RESTART_POLICY, ServerConnection, type RestartPolicy } from './server-connection';
import { ServerConfigStore } from './server-config-store';
import { AuthStore } from './auth/auth-store';
import type { McpAuthOptions } from './auth/server-auth';
import type { ConfigFileProblem } from '../fs/config-file';
import type { CallToolOptions, McpToolHost, SamplingHandler } from './types';
import type { ElicitationHandler } from './elicitation-service';

export interface McpHostOptions {
  /** The data dir: `mcp-servers.json` lives there; secrets use its `secret.key` when no cipher is given. */
  dataDir: string;
  logger: Logger;
  /** Seals secret env values and headers (the same cipher as provider keys). */
  cipher?: SecretCipher;
  /** Folders offered to servers as roots (settings `mcp.roots`), read on every `roots/list`. */
  roots?: () => readonly string[];
  /** Answers servers' `sampling/createMessage`; without one they get "Sampling is not enabled". */
  samplingHandler?: SamplingHandler;
  /** [issue 13] Asks the user for servers' `elicitation/create`; without one Tandem does not declare elicitation. */
  elicitationHandler?: ElicitationHandler;
  /** A server's status changed (null: it was removed): the `mcp.changed` event. */
  onChanged?: (name: string, status: McpServerStatus | null) => void;
  /** Tandem's name and version as the MCP client. */
  clientInfo?: { name: string; version: string };
  /** Give stdio servers the login shell's PATH (default true; off on Windows). */
  loginShellPath?: boolean;
  /**
   * [issue 13] OAuth for HTTP servers: how a consent link is opened
   * (`openExternal`; desktop: the system browser; serve mode: none, the link is
   * shown in status), whether a 401 starts the flow by itself (default no: the
   * server waits in auth state `required` until `login`), Tandem's client ID
   * metadata document URL. Tokens live sealed in `mcp-auth.json`.
   */
  auth?: McpAuthOptions;
  /** Tests shorten the crash-restart backoff. */
  restartPolicy?: Partial<RestartPolicy>;
}

/**
 * The MCP host: owns every configured server's connection (stdio child
 * processes and HTTP sessions) and their config (`mcp-servers.json`).
 *
 * - `init()` loads the config; `startEnabled()` starts every enabled server
 *   (the app and serve mode do; the CLI starts only what it uses via `ensureReady`).
 * - Config: `list`, `status`, `add`, `update`, `remove`, `setEnabled`, `restart`,
 *   `setToolPolicy`, `logs`, `importConfig`, `exportConfig`.
 * - Use: `toolsFor`, `callTool`, `readResource`, `getPrompt`, `approvalPolicy`,
 *   `setApprovalPolicy` (the {@link McpToolHost} the tool loop uses).
 * - `rootsChanged()` after settings `mcp.roots` changed; `setSamplingHandler()`
 *   when the sampling service exists after the host.
 * - `dispose()` closes every client and kills every child process tree.
 */
export class McpHost implements McpToolHost {
  private readonly store: ServerConfigStore;
  private readonly authStore: AuthStore;
  private readonly connections = new Map<string, ServerConnection>();
  private readonly shellPath: LoginShellPath;
  private readonly restartPolicy: RestartPolicy;
  private sampling: SamplingHandler | null;
  private disposed = false;

  constructor(private readonly options: McpHostOptions) {
    const fileCipher = new FileKeyCipher(join(options.dataDir, 'secret.key'));
    const cipher = options.cipher ? new FallbackCipher(options.cipher, fileCipher) : fileCipher;
    this.store = new ServerConfigStore(join(options.dataDir, 'mcp-servers.json'), cipher);
    // A broken mcp-auth.json found later (the CLI and the app share it) is logged; one found by init() is also in authConfigProblem.
    this.authStore = new AuthStore(join(options.dataDir, 'mcp-auth.json'), cipher, { onProblem: (problem) => options.logger.warn(problem.message) });
    this.shellPath = new LoginShellPath({ enabled: options.loginShellPath ?? true });
    this.restartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restartPolicy };
    this.sampling = options.samplingHandler ?? null;
  }

  /** Why `mcp-servers.json` could not be used at start-up (it was kept aside), for the app notices. */
  get configProblem(): ConfigFileProblem | null {
    return this.store.configProblem;
  }

  /** Why `mcp-auth.json` (the sealed sign-ins) could not be used and was kept aside, once something read it (init does). */
  get authConfigProblem(): ConfigFileProblem | null {
    return this.authStore.configProblem;
  }

  /** Loads `mcp-servers.json` (a broken file is kept aside and reported; the host starts with no servers). */
  async init(): Promise<void> {
    await this.store.load();
    await this.authStore.check().catch((error: Error) => this.options.logger.warn(`MCP sign-ins (mcp-auth.json) could not be read: ${error.message}`));
    for (const record of this.store.list()) this.connection(record.name, record.enabled ? 'stopped' : 'disabled');
    // [issue 13] HTTP servers' stored sign-ins (who, until when) show before they connect.
    await Promise.all(
      this.store.list().filter((r) => r.transport === 'http').map((r) =>
        this.connection(r.name).primeAuth().catch((error: Error) => this.options.logger.warn(`MCP server ${r.name}: could not read its sign-in: ${error.message}`)),
      ),
    );
  }

  /** Starts every enabled server in the background; returns at once. */
  startEnabled(): void {
    if (this.store.list().some((r) => r.enabled && r.transport === 'stdio')) void this.shellPath.get();
    for (const record of this.store.list()) if (record.enabled && !record.needsConfirmation) void this.connection(record.name).start();
  }

  setSamplingHandler(handler: SamplingHandler | null): void {
    this.sampling = handler;
  }

  list(): McpServerStatus[] {
    return this.store.list().map((r) => this.statusOf(r.name));
  }

  status(name: string): McpServerStatus | null {
    return this.store.find(name) ? this.statusOf(name) : null;
  }

  /** Adds a server and, when enabled (the default), starts it; returns once preflight is done, not when it is ready. */
  async add(input: McpServerConfigInput, options: { start?: boolean; needsConfirmation?: boolean } = {}): Promise<McpServerStatus> {
    this.alive();
    let record = await this.store.add(input);
    // [issue 15] A stdio server another program added waits for the user's "Allow this server to run".
    if (options.needsConfirmation && record.transport === 'stdio') record = await this.store.patch(record.name, (r) => (r.needsConfirmation = true));
    const connection = this.connection(record.name, record.enabled ? 'stopped' : 'disabled');
    if (record.enabled && !record.needsConfirmation && options.start !== false) await this.startUntilSettled(connection);
    return this.changed(record.name);
  }

  /** Replaces a server's config (tool policies kept) and restarts it. */
  async update(input: McpServerConfigInput, options: { needsConfirmation?: boolean } = {}): Promise<McpServerStatus> {
    this.alive();
    let record = await this.store.update(input);
    if (options.needsConfirmation && record.transport === 'stdio') record = await this.store.patch(record.name, (r) => (r.needsConfirmation = true));
    // The window's own edit (the command line in front of the user, "Save and restart") counts as allowing it.
    else if (options.needsConfirmation === false && record.needsConfirmation) record = await this.store.patch(record.name, (r) => delete r.needsConfirmation);
    const connection = this.connection(record.name);
    if (record.needsConfirmation) await connection.stop('stopped');
    else if (record.enabled) await this.startUntilSettled(connection);
    else await connection.stop('disabled');
    return this.changed(record.name);
  }

  async remove(name: string): Promise<void> {
    await this.store.remove(name);
    const connection = this.connections.get(name);
    this.connections.delete(name);
    await connection?.dispose();
    await this.authStore.delete(name);
    this.options.onChanged?.(name, null);
  }

  async setEnabled(name: string, enabled: boolean): Promise<McpServerStatus> {
    this.alive();
    const record = await this.store.patch(name, (r) => (r.enabled = enabled));
    const connection = this.connection(name);
    if (enabled && !record.needsConfirmation) await this.startUntilSettled(connection);
    else if (enabled) await connection.stop('stopped');
    else await connection.stop('disabled');
    return this.changed(name);
  }

  /** Restarts by hand (also after it gave up restarting itself). */
  async restart(name: string): Promise<McpServerStatus> {
    this.alive();
    const record = this.store.get(name);
    if (!record.enabled) throw new CodedError('CONFLICT', `MCP server ${name} is disabled; enable it first`);
    if (record.needsConfirmation) throw new CodedError('CONFLICT', `MCP server ${name} has not been allowed to run yet; allow it in the MCP page first`);
    await this.startUntilSettled(this.connection(name));
    return this.changed(name);
  }

  /**
   * [issue 15] "Allow this server to run": the user's confirmation, from the
   * window, of a stdio server added from an imported file or by another
   * program; it then starts when enabled.
   */
  async confirmStart(name: string): Promise<McpServerStatus> {
    this.alive();
    const record = await this.store.patch(name, (r) => delete r.needsConfirmation);
    if (record.enabled) await this.startUntilSettled(this.connection(name));
    return this.changed(name);
  }

  /** Starts a server (if it is not running) and waits until it is ready; the CLI's way in. */
  async ensureReady(name: string): Promise<McpServerStatus> {
    this.alive();
    const record = this.store.get(name);
    if (!record.enabled) throw new CodedError('MCP_UNAVAILABLE', `MCP server ${name} is disabled; enable it first`);
    // [issue 15] A stdio server added by another program or from an imported file is first started only after the window's OK.
    if (record.needsConfirmation) {
      throw new CodedError('CONFLICT', `MCP server ${name} has not been allowed to run yet; open the MCP page in Tandem and choose "Allow this server to run" first`);
    }
    const connection = this.connection(name);
    if (connection.state === 'stopped' || connection.state === 'error') await connection.start();
    await connection.readyClient(record.timeoutMs);
    return this.statusOf(name);
  }

  /**
   * [issue 13] Signs in to an HTTP server (Sign in, `mcp.login`, `tandem mcp login`):
   * drops its token, reconnects, and when the server asks for authorization
   * opens the consent link (`auth.openExternal`) and waits for the loopback
   * redirect in the background. Returns the link (null when no browser was
   * needed: client credentials, or the server did not ask), the status, and
   * `done`, which settles when the flow ends (status then says authorized / error).
   */
  async login(name: string): Promise<{ authorizationUrl: string | null; status: McpServerStatus; done: Promise<McpServerStatus> }> {
    this.alive();
    const record = this.store.get(name);
    if (!record.enabled) throw new CodedError('CONFLICT', `MCP server ${name} is disabled; enable it first`);
    const connection = this.connection(name);
    const { authorizationUrl, done } = await connection.login();
    return { authorizationUrl, status: this.changed(name), done: done.then(() => this.changed(name)) };
  }

  /** [issue 13] Signs out: forgets the server's tokens and dynamic registration; it then waits for a sign-in. */
  async logout(name: string, options: { restart?: boolean } = {}): Promise<McpServerStatus> {
    this.alive();
    const record = this.store.get(name);
    const connection = this.connection(name);
    await connection.logout();
    if (record.enabled && options.restart !== false) await this.startUntilSettled(connection);
    return this.changed(name);
  }

  async setToolPolicy(name: string, tool: string, policy: { enabled?: boolean; approval?: ToolApprovalPolicy }): Promise<McpServerStatus> {
    await this.store.patch(name, (r) => {
      r.tools[tool] = { ...r.tools[tool], ...(policy.enabled !== undefined ? { enabled: policy.enabled } : {}), ...(policy.approval ? { approval: policy.approval } : {}) };
    });
    return this.changed(name);
  }

  logs(name: string): string[] {
    this.store.get(name);
    return this.connection(name).log.all();
  }

  toolsFor(servers: readonly string[]): { server: string; tool: McpTool }[] {
    const out: { server: string; tool: McpTool }[] = [];
    for (const server of servers) {
      const status = this.status(server);
      if (!status || status.state !== 'ready' || !status.config.enabled) continue;
      for (const tool of status.tools) if (tool.enabled) out.push({ server, tool });
    }
    return out;
  }

  async callTool(server: string, tool: string, args: Record<string, unknown>, options: CallToolOptions = {}): Promise<McpCallResult> {
    const record = this.unavailableIfMissing(server);
    if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Cancelled');
    return this.connection(server).callTool(tool, args, record.timeoutMs, options);
  }

  approvalPolicy(server: string, tool: string): ToolApprovalPolicy {
    return this.store.toolPolicy(server, tool).approval;
  }

  async setApprovalPolicy(server: string, tool: string, approval: ToolApprovalPolicy): Promise<void> {
    await this.setToolPolicy(server, tool, { approval });
  }

  async readResource(server: string, uri: string): Promise<{ uri: string; mimeType: string | null; text: string | null; blobBase64: string | null }[]> {
    const record = this.unavailableIfMissing(server);
    const connection = this.connection(server);
    const client = await connection.readyClient(record.timeoutMs);
    try {
      const result = await client.readResource({ uri }, { timeout: record.timeoutMs });
      return result.contents.map((c) => ({
        uri: c.uri,
        mimeType: c.mimeType ?? null,
        text: 'text' in c && typeof c.text === 'string' ? c.text : null,
        blobBase64: 'blob' in c && typeof c.blob === 'string' ? c.blob : null,
      }));
    } catch (error) {
      throw connection.codedError(error, undefined, `reading ${uri} took too long`);
    }
  }

  async getPrompt(server: string, prompt: string, args: Record<string, string> = {}): Promise<{ description: string | null; messages: { role: 'user' | 'assistant'; text: string }[] }> {
    const record = this.unavailableIfMissing(server);
    const connection = this.connection(server);
    const client = await connection.readyClient(record.timeoutMs);
    try {
      const result = await client.getPrompt({ name: prompt, arguments: args }, { timeout: record.timeoutMs });
      return {
        description: result.description ?? null,
        messages: result.messages.map((m) => {
          const c = m.content as Record<string, unknown>;
          const text =
            c.type === 'text'
              ? String(c.text)
              : c.type === 'resource'
                ? String((c.resource as Record<string, unknown>).text ?? `[resource: ${String((c.resource as Record<string, unknown>).uri)}]`)
                : c.type === 'resource_link'
                  ? `[resource: ${String(c.uri)}]`
                  : `[${String(c.type)}: ${String(c.mimeType ?? '')}]`;
          return { role: m.role, text };
        }),
      };
    } catch (error) {
      throw connection.codedError(error, undefined, `getting prompt ${prompt} took too long`);
    }
  }

  /** Adds the servers of a Claude Desktop config or mcp.json; names already there are skipped. Added servers start when `start` (default). */
  async importConfig(content: string, options: { start?: boolean } = {}): Promise<{ added: string[]; skipped: { name: string; reason: string }[] }> {
    this.alive();
    const { servers, skipped } = parseMcpServersJson(content);
    const added: string[] = [];
    for (const server of servers) {
      if (this.store.find(server.name)) {
        skipped.push({ name: server.name, reason: 'already exists' });
        continue;
      }
      try {
        // [issue 15] A command line from a file runs only once the user allows it in the window.
        const record = await this.store.add(server);
        if (record.transport === 'stdio') await this.store.patch(record.name, (r) => (r.needsConfirmation = true));
        this.connection(server.name, server.enabled === false ? 'disabled' : 'stopped');
        added.push(server.name);
      } catch (error) {
        skipped.push({ name: server.name, reason: (error as Error).message });
      }
    }
    for (const name of added) {
      const record = this.store.get(name);
      if (options.start !== false && record.enabled && !record.needsConfirmation) void this.connection(name).start();
      this.changed(name);
    }
    return { added, skipped };
  }

  exportConfig(): { filename: string; mimeType: string; content: string } {
    return exportMcpServersJson(this.store.list());
  }

  /** Settings `mcp.roots` changed: ready servers are told (`notifications/roots/list_changed`). */
  async rootsChanged(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.rootsChanged()));
  }

  /** The running child's pid of a stdio server (for tests and diagnostics). */
  pid(name: string): number | null {
    return this.connections.get(name)?.pid ?? null;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.connections.values()].map((c) => c.dispose()));
  }

  private alive(): void {
    if (this.disposed) throw new CodedError('MCP_UNAVAILABLE', 'The MCP host is shutting down');
  }

  private unavailableIfMissing(server: string) {
    const record = this.store.find(server);
    if (!record) throw new CodedError('NOT_FOUND', `No MCP server named "${server}"`);
    return record;
  }

  /** Starts and waits past preflight and the first answer or failure, bounded so a slow server does not hold a route. */
  private async startUntilSettled(connection: ServerConnection): Promise<void> {
    const started = connection.start();
    await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 2500).unref())]);
  }

  private connection(name: string, initial?: 'disabled' | 'stopped'): ServerConnection {
    let connection = this.connections.get(name);
    if (!connection) {
      connection = new ServerConnection({
        name,
        resolveConfig: () => this.store.resolve(name),
        pathEnv: () => this.shellPath.get(),
        pathEnvIfReady: () => this.shellPath.ifReady(),
        clientInfo: this.options.clientInfo ?? { name: 'Tandem', version: '0.0.0' },
        roots: () => this.options.roots?.() ?? [],
        sampling: () => this.sampling,
        elicitation: () => this.options.elicitationHandler ?? null,
        onChange: () => {
          if (this.connections.get(name) === connection && this.store.find(name)) this.changed(name);
        },
        logger: this.options.logger,
        restartPolicy: this.restartPolicy,
        authStore: this.authStore,
        authOptions: this.options.auth,
      });
      this.connections.set(name, connection);
      if (initial === 'disabled') void connection.stop('disabled');
    }
    return connection;
  }

  private changed(name: string): McpServerStatus {
    const status = this.statusOf(name);
    this.options.onChanged?.(name, status);
    return status;
  }

  private statusOf(name: string): McpServerStatus {
    const view = this.connection(name).view();
    const config = this.store.view(name);
    return {
      name,
      config,
      state: !config.enabled
        ? 'disabled'
        : this.store.find(name)?.needsConfirmation && (view.state === 'stopped' || view.state === 'disabled')
          ? 'needs-confirmation'
          : view.state === 'disabled'
            ? 'stopped'
            : view.state,
      error: view.error,
      preflight: view.preflight,
      restarts: view.restarts,
      connectedVia: view.connectedVia,
      serverInfo: view.serverInfo,
      auth:
        config.transport === 'http'
          ? (this.connection(name).authStatus() ?? { state: 'none', account: null, scopes: [], authorizationUrl: null, expiresAt: null, message: null })
          : null,
      tools: view.tools.map((t) => {
        const policy = this.store.toolPolicy(name, t.name);
        return {
          name: t.name,
          title: t.title ?? t.annotations?.title ?? null,
          description: t.description ?? '',
          inputSchema: t.inputSchema as Record<string, unknown>,
          enabled: policy.enabled,
          approval: policy.approval,
        };
      }),
      resources: view.resources.map((r) => ({ uri: r.uri, name: r.name, description: r.description ?? null, mimeType: r.mimeType ?? null })),
      prompts: view.prompts.map((p) => ({
        name: p.name,
        description: p.description ?? null,
        arguments: (p.arguments ?? []).map((a) => ({ name: a.name, description: a.description ?? null, required: a.required ?? false })),
      })),
    };
  }
}
