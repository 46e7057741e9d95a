import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CreateMessageResult,
  type Prompt,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { CodedError } from '../../../shared/ipc/errors';
import type { McpCallResult, McpServerState } from '../../../shared/ipc/routes/mcp';
import type { Logger } from '../app/logger';
import { redact } from '../providers/secret-store';
import { LogRing } from './log-ring';
import { preflightCommand } from './preflight';
import { flattenContent } from './result-text';
import { samplingParamsFrom } from './sampling-params';
import type { ResolvedServerConfig } from './server-config-store';
import type { AuthStore } from './auth/auth-store';
import { AuthRequiredError, RedirectMovedError, ServerAuth, type McpAuthOptions } from './auth/server-auth';
import type { McpAuthStatus } from '../../../shared/ipc/routes/mcp';
import { StdioTransport } from './stdio-transport';
import type { CallToolOptions, SamplingHandler } from './types';
import type { ElicitationHandler } from './elicitation-service';

/** Automatic restarts after a crash: exponential backoff, at most `maxRestarts` within `windowMs`. */
export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  maxRestarts: number;
  windowMs: number;
}
export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 5 * 60_000 };

export interface ServerConnectionDeps {
  name: string;
  resolveConfig: () => Promise<ResolvedServerConfig>;
  /** PATH for stdio servers (login shell merged with ours). */
  pathEnv: () => Promise<string>;
  /** The same PATH when it is already known (null while the login shell is still being asked). */
  pathEnvIfReady?: () => string | null;
  clientInfo: { name: string; version: string };
  /** Folders offered as roots. */
  roots: () => readonly string[];
  sampling: () => SamplingHandler | null;
  /** [issue 13, elicitation] Asks the user for a server's `elicitation/create`; without one the capability is not declared. */
  elicitation?: () => ElicitationHandler | null;
  onChange: () => void;
  logger: Logger;
  restartPolicy: RestartPolicy;
  /** [issue 13, OAuth] Where HTTP servers' tokens are sealed, and how sign-in behaves. Without a store: no OAuth. */
  authStore?: AuthStore;
  authOptions?: McpAuthOptions;
}

/** Authorization flows one connect may run (a sign-in, then one step-up) before it gives up. */
const MAX_AUTH_ROUNDS = 2;

export interface ConnectionSnapshot {
  state: McpServerState;
  error: { code: 'MCP_UNAVAILABLE' | 'MCP_ERROR' | 'TIMEOUT'; message: string } | null;
  preflight: string | null;
  restarts: number;
  connectedVia: 'stdio' | 'streamable-http' | 'sse' | null;
  serverInfo: { name: string; version: string } | null;
  tools: Tool[];
  resources: Resource[];
  prompts: Prompt[];
}

const MAX_LIST_PAGES = 100;
/** Starting can be slow (npx downloading a package); the tool timeout is for calls. */
const CONNECT_TIMEOUT_MS = 60_000;

/**
 * One MCP server: its transport, its state machine (starting → ready →
 * error/restarting…), its lists of tools, resources and prompts, and its
 * stderr. Owns the client and the child process; `dispose()` ends both.
 */
export class ServerConnection {
  private client: Client | null = null;
  private transport: StdioTransport | null = null;
  /** The streamable HTTP transport of the last HTTP connect (finishes a sign-in with the code). */
  private httpTransport: StreamableHTTPClientTransport | null = null;
  /** [issue 13] The server's sign-in (HTTP servers whose auth is not `none`). */
  private auth: ServerAuth | null = null;
  private generation = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private recentRestarts: number[] = [];
  /** True while recovering from a crash: a failed start then schedules the next restart. */
  private recovering = false;
  private disposed = false;
  private secrets: string[] = [];
  private waiters: (() => void)[] = [];
  readonly log = new LogRing(500);
  private snapshot: ConnectionSnapshot = {
    state: 'stopped',
    error: null,
    preflight: null,
    restarts: 0,
    connectedVia: null,
    serverInfo: null,
    tools: [],
    resources: [],
    prompts: [],
  };

  constructor(private readonly deps: ServerConnectionDeps) {}

  get name(): string {
    return this.deps.name;
  }

  get state(): McpServerState {
    return this.snapshot.state;
  }

  /** The child's pid while a stdio server runs (tests check it is gone after dispose). */
  get pid(): number | null {
    return this.transport?.pid ?? null;
  }

  view(): ConnectionSnapshot {
    return this.snapshot;
  }

  /** Starts (or restarts) the server by hand: the crash counter starts over. */
  async start(): Promise<void> {
    this.recentRestarts = [];
    this.recovering = false;
    this.snapshot = { ...this.snapshot, restarts: 0 };
    await this.connect();
  }

  /** Stops the server; `state` says why (disabled by the user, or stopped). */
  async stop(state: 'disabled' | 'stopped' = 'stopped'): Promise<void> {
    this.auth?.cancel();
    this.generation++;
    this.clearRestartTimer();
    this.recovering = false;
    await this.teardown();
    this.update({ state, error: null, preflight: null, connectedVia: null, tools: [], resources: [], prompts: [] });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.stop('stopped');
    this.disposed = true;
    this.wake();
  }

  /** Waits until the server is ready, or says why it is not. */
  async readyClient(timeoutMs: number): Promise<Client> {
    const deadline = Date.now() + timeoutMs;
    while (this.snapshot.state === 'starting' || this.snapshot.state === 'restarting') {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.snapshot.state === 'ready' && this.client) return this.client;
    const why = this.snapshot.preflight ?? this.snapshot.error?.message;
    throw new CodedError('MCP_UNAVAILABLE', `MCP server ${this.name} is not running (${this.snapshot.state})${why ? `: ${why}` : ''}`);
  }

  async callTool(tool: string, args: Record<string, unknown>, timeoutMs: number, options: CallToolOptions = {}): Promise<McpCallResult> {
    const client = await this.readyClient(timeoutMs);
    const started = performance.now();
    const call = () =>
      client.callTool({ name: tool, arguments: args }, undefined, {
        signal: options.signal,
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: options.onProgress
          ? (p) => options.onProgress?.({ progress: p.progress, total: p.total, message: p.message })
          : undefined,
      });
    try {
      let result: Awaited<ReturnType<typeof call>>;
      try {
        result = await call();
      } catch (error) {
        // Scope step-up (a 403 insufficient_scope): the user authorizes the wider scope, then the call is retried once.
        const transport = this.httpTransport;
        if (!(error instanceof UnauthorizedError) || !this.auth || !transport || client !== this.client) throw error;
        this.note(`${tool} needs more access; asking to authorize it`);
        await this.auth.authorize(transport, { interactive: true, signal: options.signal });
        result = await call();
      }
      const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
      const text = content.length > 0 ? flattenContent(content) : result.structuredContent !== undefined ? JSON.stringify(result.structuredContent, null, 2) : '';
      return {
        content,
        ...(result.structuredContent !== undefined ? { structuredContent: result.structuredContent } : {}),
        isError: result.isError === true,
        text,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (client === this.client && this.lostHttpSession(error)) this.crashed(`MCP server ${this.name} cannot be reached (${(error as Error).message})`);
      throw this.codedError(error, options.signal, `${tool} did not answer within ${Math.round(timeoutMs / 1000)} s (no progress either); it was cancelled`);
    }
  }

  /** An HTTP server that went away, or forgot our session (it restarted): reconnect as after a crash. */
  private lostHttpSession(error: unknown): boolean {
    if (this.snapshot.connectedVia === 'stdio' || this.snapshot.connectedVia === null) return false;
    if (error instanceof StreamableHTTPError) return error.code === 404 || error.code === undefined || error.code >= 500;
    return error instanceof TypeError && /fetch failed/i.test(error.message);
  }

  /** Maps what the SDK throws to the contract's codes. */
  codedError(error: unknown, signal: AbortSignal | undefined, timeoutMessage: string): CodedError {
    if (error instanceof CodedError) return error;
    if (signal?.aborted) return new CodedError('CANCELLED', 'Cancelled');
    if (error instanceof AuthRequiredError) return new CodedError('MCP_UNAVAILABLE', error.message);
    if (error instanceof UnauthorizedError) return new CodedError('MCP_UNAVAILABLE', `MCP server ${this.name} did not accept Tandem's sign-in; sign in again`);
    if (this.lostHttpSession(error)) return new CodedError('MCP_UNAVAILABLE', `MCP server ${this.name} cannot be reached: ${(error as Error).message}`);
    if (error instanceof McpError) {
      if (error.code === ErrorCode.RequestTimeout) return new CodedError('TIMEOUT', `${this.name}: ${timeoutMessage}`, { retryable: true });
      if (error.code === ErrorCode.ConnectionClosed) return new CodedError('MCP_UNAVAILABLE', this.snapshot.error?.message ?? `MCP server ${this.name} closed the connection`);
      return new CodedError('MCP_ERROR', `${this.name}: ${error.message.replace(/^MCP error -?\d+: /, '')}`);
    }
    const message = this.redact(error instanceof Error ? error.message : String(error));
    if (/not connected/i.test(message)) return new CodedError('MCP_UNAVAILABLE', `MCP server ${this.name} is not connected`);
    return new CodedError('MCP_ERROR', `${this.name}: ${message}`);
  }

  /** [issue 13] The sign-in state of an HTTP server (null until it was first connected, or when it does not sign in). */
  authStatus(): McpAuthStatus | null {
    return this.auth?.status() ?? null;
  }

  /**
   * Starts a sign-in (dropping the current token): connects, and when the
   * server asks for authorization opens the consent link. Resolves with the
   * link once the flow waits for the browser (null when no browser was needed:
   * client credentials, or the server did not ask); `done` settles when the
   * connect that carries the flow ends (ready, or failed).
   */
  async login(): Promise<{ authorizationUrl: string | null; done: Promise<void> }> {
    const config = await this.deps.resolveConfig();
    const auth = config.transport === 'http' ? await this.configureAuth(config) : null;
    if (!auth) throw new CodedError('UNSUPPORTED', `MCP server ${this.name} does not sign in (${config.transport === 'http' ? 'its sign-in is set to none' : 'it is a local command'})`);
    const current = auth.status();
    if (current.state === 'authorizing' && current.authorizationUrl) {
      return { authorizationUrl: current.authorizationUrl, done: this.settled() };
    }
    await auth.requestSignIn();
    this.recentRestarts = [];
    this.recovering = false;
    const done = this.connect();
    let finished = false;
    void done.finally(() => {
      finished = true;
      this.wake();
    });
    while (!finished) {
      const status = auth.status();
      if (status.state === 'authorizing' && status.authorizationUrl) return { authorizationUrl: status.authorizationUrl, done };
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    await done;
    return { authorizationUrl: null, done };
  }

  /** Sign out: forgets the server's tokens and registration; the caller restarts it (it then waits for a sign-in). */
  async logout(): Promise<void> {
    const config = await this.deps.resolveConfig();
    const auth = config.transport === 'http' ? await this.configureAuth(config) : null;
    if (!auth) throw new CodedError('UNSUPPORTED', `MCP server ${this.name} does not sign in`);
    await this.stop(this.snapshot.state === 'disabled' ? 'disabled' : 'stopped');
    await auth.signOut();
  }

  /** Reads the stored sign-in (account, expiry) without connecting, so a stopped server still shows it. */
  async primeAuth(): Promise<void> {
    const config = await this.deps.resolveConfig();
    if (config.transport === 'http' && !this.auth) {
      await this.configureAuth(config);
      this.deps.onChange();
    }
  }

  /** Resolves once the server is no longer starting. */
  private async settled(): Promise<void> {
    while (this.snapshot.state === 'starting' || this.snapshot.state === 'restarting') await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private async configureAuth(config: ResolvedServerConfig): Promise<ServerAuth | null> {
    const store = this.deps.authStore;
    if (!store || config.auth.type === 'none') {
      if (this.auth && store) await store.delete(this.name);
      this.auth = null;
      return null;
    }
    this.auth ??= new ServerAuth(this.name, store, this.deps.authOptions ?? {}, () => {
      this.deps.onChange();
      this.wake();
    }, (line) => this.note(line));
    await this.auth.configure(config.url ?? '', config.auth);
    return this.auth;
  }

  /** Tells the server the roots changed (it asks for them again). */
  async rootsChanged(): Promise<void> {
    if (this.snapshot.state !== 'ready' || !this.client) return;
    await this.client.sendRootsListChanged().catch((error: Error) => this.note(`could not send roots/list_changed: ${error.message}`));
  }

  note(line: string): void {
    this.log.push(`[tandem] ${this.redact(line)}`);
  }

  private redact(text: string): string {
    return redact(text, [...this.secrets, ...(this.auth?.secrets() ?? [])]);
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    this.clearRestartTimer();
    const generation = ++this.generation;
    await this.teardown();
    if (generation !== this.generation) return;
    this.log.resetLastStderr();
    this.update({ state: 'starting', preflight: null, connectedVia: null });
    try {
      const config = await this.deps.resolveConfig();
      this.secrets = config.secrets;
      if (generation !== this.generation) return;
      const auth = config.transport === 'http' ? await this.configureAuth(config) : null;
      let via: 'stdio' | 'streamable-http' | 'sse' = 'stdio';
      let portMoves = 0;
      for (let round = 0; ; round++) {
        try {
          const connected = config.transport === 'stdio' ? await this.connectStdio(config, generation) : await this.connectHttp(config, auth);
          const client = connected.client;
          via = connected.via;
          if (generation !== this.generation) {
            await client.close().catch(() => undefined);
            return;
          }
          this.client = client;
          const version = client.getServerVersion();
          this.update({ connectedVia: via, serverInfo: version ? { name: version.name, version: version.version } : null });
          client.onclose = () => {
            if (generation === this.generation) this.crashed();
          };
          await this.refreshAll(client);
          break;
        } catch (error) {
          // [issue 13] The server wants a token (401) or more scope (403): sign in, then connect again.
          const transport = this.httpTransport;
          if (!auth || !(error instanceof UnauthorizedError) || !transport || generation !== this.generation) throw error;
          await this.teardown();
          if (round >= MAX_AUTH_ROUNDS) throw new Error(`the server still refuses after ${round} sign-in(s) (it may want a scope it does not grant)`);
          try {
            await auth.authorize(transport, { interactive: round > 0 });
          } catch (authError) {
            // The loopback port moved: the next round registers the new redirect and asks again (not counted).
            if (!(authError instanceof RedirectMovedError) || portMoves++ > 0) throw authError;
            round--;
          }
          if (generation !== this.generation) return;
        }
      }
      if (generation !== this.generation) return;
      if (auth && !this.auth?.secrets().length) auth.notNeeded();
      this.recovering = false;
      this.note(`ready via ${via}: ${this.snapshot.tools.length} tool(s), ${this.snapshot.resources.length} resource(s), ${this.snapshot.prompts.length} prompt(s)`);
      this.update({ state: 'ready', error: null });
    } catch (error) {
      if (generation !== this.generation || this.disposed) return;
      if (error instanceof PreflightError) {
        this.note(error.message);
        this.update({ state: 'error', preflight: error.message, error: { code: 'MCP_UNAVAILABLE', message: error.message } });
        return;
      }
      if (error instanceof AuthRequiredError) {
        // Not a crash: no restarts, the user signs in (mcp.login).
        this.note(error.message);
        await this.teardown();
        this.recovering = false;
        this.update({ state: 'error', error: { code: 'MCP_UNAVAILABLE', message: error.message } });
        return;
      }
      const message = this.failureMessage(error);
      this.note(`could not start: ${message}`);
      await this.teardown();
      if (this.recovering) this.scheduleRestart(message);
      else this.update({ state: 'error', error: { code: 'MCP_UNAVAILABLE', message } });
    }
  }

  private async connectStdio(config: ResolvedServerConfig, generation: number): Promise<{ client: Client; via: 'stdio' }> {
    // Waiting for the login shell (up to 1.5 s) only matters when our own PATH cannot find the command.
    let path = this.deps.pathEnvIfReady?.() ?? null;
    if (path === null) {
      const own = process.env.PATH ?? '';
      const quick = await preflightCommand(config.command ?? '', { path: config.env.PATH ?? own, pathExt: process.env.PATHEXT, cwd: config.cwd ?? undefined });
      path = quick.ok ? own : await this.deps.pathEnv();
    }
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !value.startsWith('()')) env[key] = value;
    Object.assign(env, { PATH: path }, config.env);
    const check = await preflightCommand(config.command ?? '', { path: env.PATH ?? path, pathExt: env.PATHEXT, cwd: config.cwd ?? undefined });
    if (!check.ok) throw new PreflightError(check.message);
    this.note(`starting ${check.resolved} ${config.args.join(' ')}`.trim());
    const transport = new StdioTransport({
      command: check.resolved,
      args: config.args,
      env,
      cwd: config.cwd ?? undefined,
      onStderrLine: (line) => {
        if (generation === this.generation) this.log.push(this.redact(line), true);
      },
      onGarbage: (line) => this.note(`stdout line that is not JSON-RPC was ignored: ${line.slice(0, 200)}`),
    });
    this.transport = transport;
    const client = this.newClient();
    await client.connect(transport, { timeout: Math.max(config.timeoutMs, CONNECT_TIMEOUT_MS) });
    return { client, via: 'stdio' };
  }

  private async connectHttp(config: ResolvedServerConfig, auth: ServerAuth | null): Promise<{ client: Client; via: 'streamable-http' | 'sse' }> {
    const url = new URL(config.url ?? '');
    const requestInit: RequestInit = { headers: config.headers };
    const authOptions = auth ? { authProvider: auth, fetch: auth.fetch } : {};
    const streamable = this.newClient();
    try {
      const transport = new StreamableHTTPClientTransport(url, { requestInit, ...authOptions });
      this.httpTransport = transport;
      await streamable.connect(transport, { timeout: Math.max(config.timeoutMs, CONNECT_TIMEOUT_MS) });
      return { client: streamable, via: 'streamable-http' };
    } catch (error) {
      await streamable.close().catch(() => undefined);
      // The SDK's documented fallback: a 4xx to the streamable POST means an older HTTP+SSE server.
      if (!(error instanceof StreamableHTTPError) || error.code === undefined || error.code < 400 || error.code >= 500) throw error;
      this.note(`streamable HTTP answered ${error.code}; trying the older HTTP+SSE transport`);
      const sse = this.newClient();
      try {
        await sse.connect(new SSEClientTransport(url, { requestInit, ...authOptions }), { timeout: Math.max(config.timeoutMs, CONNECT_TIMEOUT_MS) });
        return { client: sse, via: 'sse' };
      } catch (sseError) {
        await sse.close().catch(() => undefined);
        throw new Error(`streamable HTTP answered ${error.code} and SSE failed too (${(sseError as Error).message})`);
      }
    }
  }

  private newClient(): Client {
    const elicits = Boolean(this.deps.elicitation?.());
    const elicitation = elicits ? { elicitation: { form: {}, url: {} } } : {};
    const client = new Client(this.deps.clientInfo, { capabilities: { roots: { listChanged: true }, sampling: {}, ...elicitation } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: this.deps.roots().map((path) => ({ uri: pathToFileURL(path).href, name: basename(path) || path })),
    }));
    client.setRequestHandler(CreateMessageRequestSchema, async (request, extra): Promise<CreateMessageResult> => {
      const handler = this.deps.sampling();
      if (!handler) throw new McpError(ErrorCode.InvalidRequest, 'Sampling is not enabled');
      this.note('the server asked to sample a model');
      try {
        const answer = await handler(this.name, samplingParamsFrom(request.params), extra.signal);
        return { role: 'assistant', content: { type: 'text', text: answer.text }, model: answer.model, stopReason: answer.stopReason };
      } catch (error) {
        if (error instanceof McpError) throw error;
        throw new McpError(ErrorCode.InvalidRequest, error instanceof Error ? error.message : String(error));
      }
    });
    // [issue 13, elicitation] The user answers in a form (ElicitationService); the SDK checks the request's shape first.
    // Registered only with the capability (the SDK refuses an elicitation handler a client does not declare).
    if (elicits) client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
      const handler = this.deps.elicitation?.();
      if (!handler) throw new McpError(ErrorCode.MethodNotFound, 'Elicitation is not supported here');
      this.note(`the server asked the user for input (${request.params.mode ?? 'form'})`);
      try {
        return await handler(this.name, request.params, extra.signal);
      } catch (error) {
        if (error instanceof McpError) throw error;
        throw new McpError(ErrorCode.InvalidRequest, error instanceof Error ? error.message : String(error));
      }
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.refreshLater(client, 'tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.refreshLater(client, 'resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.refreshLater(client, 'prompts'));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      const data = typeof n.params.data === 'string' ? n.params.data : JSON.stringify(n.params.data);
      this.log.push(this.redact(`[${n.params.level}${n.params.logger ? ` ${n.params.logger}` : ''}] ${data}`));
    });
    client.onerror = (error) => this.note(`protocol error: ${error.message}`);
    return client;
  }

  private refreshLater(client: Client, kind: 'tools' | 'resources' | 'prompts'): void {
    void this.refresh(client, kind)
      .then(() => {
        if (client === this.client && this.snapshot.state === 'ready') this.deps.onChange();
      })
      .catch((error: Error) => this.note(`could not refresh ${kind}: ${error.message}`));
  }

  private async refreshAll(client: Client): Promise<void> {
    await Promise.all(
      (['tools', 'resources', 'prompts'] as const).map((kind) =>
        this.refresh(client, kind).catch((error: Error) => {
          if (kind === 'tools') throw error;
          this.note(`could not list ${kind}: ${error.message}`);
        }),
      ),
    );
  }

  private async refresh(client: Client, kind: 'tools' | 'resources' | 'prompts'): Promise<void> {
    const caps = client.getServerCapabilities() ?? {};
    if (!caps[kind]) return;
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const params = cursor ? { cursor } : undefined;
      const result =
        kind === 'tools' ? await client.listTools(params) : kind === 'resources' ? await client.listResources(params) : await client.listPrompts(params);
      items.push(...((result as Record<string, unknown>)[kind] as unknown[]));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    if (client !== this.client && this.client !== null) return;
    this.snapshot = { ...this.snapshot, [kind]: items };
  }

  /** The transport closed while ready: in-flight calls have failed; show why and try again. */
  private crashed(reason?: string): void {
    if (this.snapshot.state !== 'ready') return;
    const exit = this.transport?.exit;
    const last = this.log.lastServerLine();
    const message = reason ?? (
      this.snapshot.connectedVia === 'stdio' || exit
        ? `MCP server ${this.name} ${exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code ?? 'unknown'}`}${last ? `: ${last}` : ''}`
        : `MCP server ${this.name} closed the connection`);
    this.note(message);
    this.client = null;
    // Calls arriving now wait for the restart instead of failing.
    this.update({ state: 'restarting', error: { code: 'MCP_UNAVAILABLE', message } });
    void this.teardown().then(() => this.scheduleRestart(message));
  }

  private scheduleRestart(message: string): void {
    if (this.disposed) return;
    const policy = this.deps.restartPolicy;
    const now = Date.now();
    this.recentRestarts = this.recentRestarts.filter((t) => now - t < policy.windowMs);
    if (this.recentRestarts.length >= policy.maxRestarts) {
      const gaveUp = `${message} (it stopped ${policy.maxRestarts + 1} times in ${Math.round(policy.windowMs / 60_000)} min; restart it when fixed)`;
      this.note('not restarting it again until you restart it');
      this.recovering = false;
      this.update({ state: 'error', error: { code: 'MCP_UNAVAILABLE', message: gaveUp } });
      return;
    }
    const delay = Math.min(policy.initialDelayMs * 2 ** this.recentRestarts.length, policy.maxDelayMs);
    this.recentRestarts.push(now);
    this.recovering = true;
    this.note(`restarting in ${delay} ms`);
    this.update({ state: 'restarting', restarts: this.snapshot.restarts + 1, error: { code: 'MCP_UNAVAILABLE', message } });
    const generation = this.generation;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (generation === this.generation) void this.connect();
    }, delay);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private async teardown(): Promise<void> {
    const client = this.client;
    const transport = this.transport;
    this.client = null;
    this.transport = null;
    this.httpTransport = null;
    if (client) {
      client.onclose = undefined;
      await client.close().catch(() => undefined);
    }
    if (transport) await transport.close().catch(() => undefined);
  }

  private failureMessage(error: unknown): string {
    const exit = this.transport?.exit;
    const last = this.log.lastServerLine();
    if (exit) return `the server ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`} before it was ready${last ? `: ${last}` : ''}`;
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return 'the server did not answer initialize in time';
    const message = this.redact(error instanceof Error ? error.message : String(error));
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${message}${cause}`;
  }

  private update(patch: Partial<ConnectionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    if (patch.state) this.wake();
    this.deps.onChange();
  }

  private wake(): void {
    const waiters = this.waiters.splice(0);
    for (const wake of waiters) wake();
  }
}

class PreflightError extends Error {}
