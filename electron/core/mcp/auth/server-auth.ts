import { randomBytes } from 'node:crypto';
import {
  refreshAuthorization,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { createPrivateKeyJwtAuth } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { CodedError } from '../../../../shared/ipc/errors';
import type { McpAuthStatus } from '../../../../shared/ipc/routes/mcp';
import { accountFromTokens } from './account';
import type { AuthStore, ServerAuthData } from './auth-store';
import { freeLoopbackPort } from '../../server/listen';
import { LoopbackRedirect } from './loopback-redirect';

/** How a server is signed in to, secrets opened (core only; never leaves it). */
export type ResolvedAuthConfig =
  | { type: 'none' }
  | { type: 'oauth'; clientId: string | null; clientSecret: string | null; scope: string | null }
  | {
      type: 'client-credentials';
      clientId: string;
      clientSecret: string | null;
      privateKeyPem: string | null;
      signingAlgorithm: string;
      scope: string | null;
    };

/** Host-wide OAuth behaviour (McpHostOptions.auth). */
export interface McpAuthOptions {
  /**
   * Opens a consent link in the user's browser (desktop: shell.openExternal).
   * Without one the link is only shown (status `auth.authorizationUrl`, the
   * CLI prints it): serve mode. Tests and the conformance client follow it with fetch.
   */
  openExternal?: (url: string) => void | Promise<void>;
  /**
   * Start the browser flow as soon as a server answers 401. Default false: the
   * server waits in auth state `required` until the user signs in
   * (`mcp.login`), so nothing opens by itself at start-up. The conformance
   * client sets it.
   */
  authorizeAutomatically?: boolean;
  /** Tandem's client ID metadata document (an https URL), used when the AS supports them; else dynamic registration. */
  clientMetadataUrl?: string;
  /** How long a browser sign-in waits for the redirect. Default 10 min. */
  flowTimeoutMs?: number;
}

/** The server needs the user to sign in (a 401 with no flow allowed to start). */
export class AuthRequiredError extends Error {}

/** The registered loopback port was taken: the redirect moved (and a dynamic registration was dropped); authorize again. */
export class RedirectMovedError extends Error {}

const DEFAULT_FLOW_TIMEOUT_MS = 10 * 60_000;
const MAX_REFRESH_MARGIN_MS = 60_000;

const configKeyOf = (config: ResolvedAuthConfig) => (config.type === 'none' ? 'none' : `${config.type}:${config.clientId ?? ''}`);

/**
 * One HTTP server's sign-in: the SDK's {@link OAuthClientProvider} backed by
 * the sealed {@link AuthStore}, plus the browser flow around it (loopback
 * listener, consent link, waiting for the code) and the state the UI shows.
 *
 * The SDK's transport does discovery, registration, PKCE, resource indicators
 * and token requests through this provider; the connection calls
 * {@link authorize} when the transport says Unauthorized, which (when a flow may
 * start) opens the link, waits for the redirect and exchanges the code.
 */
export class ServerAuth implements OAuthClientProvider {
  private url = '';
  private config: ResolvedAuthConfig = { type: 'none' };
  private data: ServerAuthData = {};
  private loaded = false;
  private redirect: string | undefined;
  private verifier: string | null = null;
  private pendingState: string | null = null;
  private pendingUrl: string | null = null;
  private stepUpPending = false;
  private refreshing: Promise<void> | null = null;
  private flow: LoopbackRedirect | null = null;
  private privateKeyAuth: OAuthClientProvider['addClientAuthentication'];
  /** The user pressed Sign in (or the CLI ran `mcp login`): the next 401 may open the browser. */
  signInRequested = false;
  private view: McpAuthStatus = { state: 'none', account: null, scopes: [], authorizationUrl: null, expiresAt: null, message: null };

  constructor(
    private readonly name: string,
    private readonly store: AuthStore,
    private readonly options: McpAuthOptions,
    private readonly onChange: () => void,
    private readonly note: (line: string) => void,
  ) {}

  /** Binds to the server's URL and auth config before a connect; data for another URL or client is dropped. */
  async configure(url: string, config: ResolvedAuthConfig): Promise<void> {
    const changed = !this.loaded || url !== this.url || configKeyOf(config) !== configKeyOf(this.config);
    this.url = url;
    this.config = config;
    this.privateKeyAuth =
      config.type === 'client-credentials' && config.privateKeyPem
        ? createPrivateKeyJwtAuth({ issuer: config.clientId, subject: config.clientId, privateKey: config.privateKeyPem, alg: config.signingAlgorithm })
        : undefined;
    if (changed) {
      this.data = await this.store.get(this.name, url, configKeyOf(config));
      this.loaded = true;
      this.redirect = undefined;
      this.refreshView();
    }
    if (config.type === 'oauth' && !this.redirect) {
      this.redirect = this.data.redirectUrl ?? `http://127.0.0.1:${await freeLoopbackPort()}/callback`;
    }
  }

  get enabled(): boolean {
    return this.config.type !== 'none';
  }

  status(): McpAuthStatus {
    return { ...this.view, scopes: [...this.view.scopes] };
  }

  /** The transport's fetch: notices a 403 insufficient_scope so the next authorization is a real step-up, not a refresh. */
  readonly fetch: FetchLike = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 403 && /insufficient_scope/.test(response.headers.get('www-authenticate') ?? '')) this.stepUpPending = true;
    return response;
  };

  // ── OAuthClientProvider ──────────────────────────────────────────────

  get redirectUrl(): string | undefined {
    return this.config.type === 'oauth' ? this.redirect : undefined;
  }

  get clientMetadataUrl(): string | undefined {
    return this.config.type === 'oauth' && !this.config.clientId ? this.options.clientMetadataUrl : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    const scope = this.config.type === 'none' ? undefined : (this.config.scope ?? undefined);
    if (this.config.type === 'client-credentials') {
      return { client_name: 'Tandem', redirect_uris: [], grant_types: ['client_credentials'], ...(scope ? { scope } : {}) };
    }
    const secret = this.config.type === 'oauth' && this.config.clientSecret;
    return {
      client_name: 'Tandem',
      client_uri: 'https://github.com/tandem-app/tandem',
      redirect_uris: this.redirect ? [this.redirect] : [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
      ...(scope ? { scope } : {}),
    };
  }

  get addClientAuthentication(): OAuthClientProvider['addClientAuthentication'] {
    return this.privateKeyAuth;
  }

  state(): string {
    this.pendingState = randomBytes(16).toString('base64url');
    return this.pendingState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const info = this.configuredOrStoredClient();
    if (!info && this.config.type === 'oauth' && !this.mayStartFlow()) {
      // Registering only makes sense when a sign-in follows: at start-up the server just waits for Sign in.
      this.refreshView({ state: 'required', message: `Sign in to ${this.name} to use it` });
      const discovery = this.data.discovery;
      const advertised = !!(discovery?.resourceMetadata || discovery?.authorizationServerMetadata);
      throw new AuthRequiredError(
        advertised
          ? `MCP server ${this.name} needs you to sign in (Sign in, or tandem mcp login ${this.name})`
          : `MCP server ${this.name} answered 401 Unauthorized and advertises no OAuth metadata: check its headers (an API key?), or sign in (tandem mcp login ${this.name})`,
      );
    }
    return info;
  }

  /** Whether a browser flow may start now (the user asked, or the host signs in by itself). */
  private mayStartFlow(): boolean {
    return this.signInRequested || !!this.options.authorizeAutomatically;
  }

  private configuredOrStoredClient(): OAuthClientInformationMixed | undefined {
    const config = this.config;
    if (config.type !== 'none' && config.clientId) {
      const stored = this.data.clientInformation;
      const secret = config.type === 'client-credentials' && config.privateKeyPem ? undefined : (config.clientSecret ?? undefined);
      // The configured client, with the issuer stamp the SDK added once it was used.
      if (stored && stored.client_id === config.clientId) return { ...stored, client_secret: secret };
      return { client_id: config.clientId, ...(secret ? { client_secret: secret } : {}) };
    }
    return this.data.clientInformation;
  }

  async saveClientInformation(info: OAuthClientInformationMixed): Promise<void> {
    if (this.config.type !== 'none' && this.config.clientId) {
      // A configured secret stays in the server config, not in the token store.
      const { client_secret: _secret, ...rest } = info as OAuthClientInformationMixed & { client_secret?: string };
      this.data.clientInformation = rest;
      this.data.registered = false;
    } else {
      this.data.clientInformation = info;
      this.data.registered = !info.client_id.startsWith('https://');
    }
    this.data.redirectUrl = this.redirect;
    await this.persist();
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    const tokens = this.data.tokens;
    if (!tokens) return undefined;
    // A step-up needs a new authorization with the wider scope: hiding the refresh token keeps the SDK from refreshing instead.
    if (this.stepUpPending) return { ...tokens, refresh_token: undefined };
    if (tokens.refresh_token && this.expiresSoon()) await this.refreshNow();
    return this.data.tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    this.stepUpPending = false;
    const previous = this.data.tokens;
    // A refresh that returns no new refresh token keeps the old one (RFC 6749 §6).
    const kept = !tokens.refresh_token && previous?.refresh_token ? { ...tokens, refresh_token: previous.refresh_token } : tokens;
    this.data.tokens = kept;
    this.data.expiresAt = typeof tokens.expires_in === 'number' ? Date.now() + tokens.expires_in * 1000 : null;
    this.data.account = accountFromTokens(tokens) ?? this.data.account ?? null;
    this.data.redirectUrl = this.redirect;
    await this.persist();
    this.refreshView({ message: null });
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    // Ask for offline access (a refresh token) when the authorization server offers it (SEP-2207).
    const offered = this.data.discovery?.authorizationServerMetadata?.scopes_supported ?? [];
    const scope = authorizationUrl.searchParams.get('scope');
    if (offered.includes('offline_access') && scope !== null && !scope.split(' ').includes('offline_access')) {
      authorizationUrl.searchParams.set('scope', `${scope} offline_access`.trim());
      if (!authorizationUrl.searchParams.has('prompt')) authorizationUrl.searchParams.set('prompt', 'consent');
    }
    this.pendingUrl = authorizationUrl.href;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('No sign-in is in progress');
    return this.verifier;
  }

  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.config.type !== 'client-credentials') return undefined;
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) params.set('scope', scope);
    return params;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'client') {
      delete this.data.clientInformation;
      delete this.data.registered;
    }
    if (scope === 'all' || scope === 'tokens') {
      delete this.data.tokens;
      delete this.data.expiresAt;
    }
    if (scope === 'all' || scope === 'discovery') delete this.data.discovery;
    if (scope === 'all' || scope === 'verifier') this.verifier = null;
    await this.persist();
    this.refreshView();
  }

  saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    this.data.discovery = state;
    return this.persist();
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.data.discovery;
  }

  // ── The flow ─────────────────────────────────────────────────────────

  /**
   * The transport answered Unauthorized (a 401, or a 403 insufficient_scope).
   * When the SDK prepared an authorization URL and a flow may start
   * (`interactive`), opens it, waits for the redirect and exchanges the code
   * through `transport.finishAuth`; otherwise marks the server `required` and
   * throws {@link AuthRequiredError}.
   */
  async authorize(transport: StreamableHTTPClientTransport, options: { interactive: boolean; signal?: AbortSignal }): Promise<void> {
    const url = this.pendingUrl;
    this.pendingUrl = null;
    if (!url) {
      const message = this.config.type === 'client-credentials' ? 'The server refused the token from its client credentials' : 'The server refused the sign-in';
      this.refreshView({ state: 'error', message });
      throw new Error(message);
    }
    if (!options.interactive && !this.mayStartFlow()) {
      this.refreshView({ state: 'required', message: `Sign in to ${this.name} to use it` });
      throw new AuthRequiredError(`MCP server ${this.name} needs you to sign in (Sign in, or tandem mcp login ${this.name})`);
    }
    this.flow?.close('A newer sign-in started');
    const flow = new LoopbackRedirect(this.options.flowTimeoutMs ?? DEFAULT_FLOW_TIMEOUT_MS);
    this.flow = flow;
    const onAbort = () => flow.close('Cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const bound = await flow.listen(this.redirect ? Number(new URL(this.redirect).port) : undefined);
      // Cancelled (sign-out, a newer sign-in, the caller's abort) while the listener was starting: no browser for it.
      if (flow.closed) throw new CodedError('CANCELLED', 'The sign-in was cancelled');
      if (bound !== this.redirect) {
        // The registered port is taken: register again with the new one and start over.
        flow.close();
        this.redirect = bound;
        if (this.data.registered) await this.invalidateCredentials('client');
        throw new RedirectMovedError('The sign-in port was taken; sign in again');
      }
      if (this.pendingState) flow.expectState(this.pendingState);
      this.refreshView({ state: 'authorizing', authorizationUrl: url, message: null });
      this.note(`waiting for sign-in in the browser (${new URL(url).origin})`);
      if (this.options.openExternal) {
        Promise.resolve(this.options.openExternal(url)).catch((error: unknown) => this.note(`could not open the browser: ${error instanceof Error ? error.message : String(error)}`));
      }
      const code = await flow.code;
      await transport.finishAuth(code);
      this.signInRequested = false;
      this.note(`signed in${this.data.account ? ` as ${this.data.account}` : ''}`);
      this.refreshView({ message: null });
    } catch (error) {
      if (error instanceof RedirectMovedError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.signInRequested = false;
      this.refreshView({ state: 'error', message: `Sign-in failed: ${message}` });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (this.flow === flow) this.flow = null;
      flow.close();
    }
  }

  /** Starts a sign-in on the next connect: tokens are dropped (the registration is kept). */
  async requestSignIn(): Promise<void> {
    this.signInRequested = true;
    this.flow?.close('A newer sign-in started');
    if (this.data.tokens) await this.invalidateCredentials('tokens');
  }

  /** Sign out: cancels a flow, forgets tokens, the registration and discovery (the whole sealed entry). */
  async signOut(): Promise<void> {
    this.signInRequested = false;
    this.flow?.close('Signed out');
    this.flow = null;
    this.data = {};
    this.verifier = null;
    this.pendingUrl = null;
    await this.store.delete(this.name);
    this.refreshView({ state: 'none', message: null });
  }

  /** Ends a waiting flow (the connection stopped). */
  cancel(): void {
    this.flow?.close('The server was stopped');
  }

  /** Marks a server that answered without asking for a token. */
  notNeeded(): void {
    if (!this.data.tokens && this.view.state !== 'none') this.refreshView({ state: 'none', message: null });
  }

  /** The current access token, for redacting logs and errors. */
  secrets(): string[] {
    const t = this.data.tokens;
    return [t?.access_token, t?.refresh_token, t?.id_token].filter((s): s is string => typeof s === 'string' && s.length > 0);
  }

  private expiresSoon(): boolean {
    const expiresAt = this.data.expiresAt;
    if (!expiresAt) return false;
    const lifetime = (this.data.tokens?.expires_in ?? 3600) * 1000;
    return Date.now() >= expiresAt - Math.min(MAX_REFRESH_MARGIN_MS, lifetime / 5);
  }

  /** Refreshes before expiry (one refresh at a time); a failure leaves it to the 401 path. */
  private refreshNow(): Promise<void> {
    this.refreshing ??= (async () => {
      const tokens = this.data.tokens;
      const discovery = this.data.discovery;
      const clientInformation = this.configuredOrStoredClient();
      if (!tokens?.refresh_token || !discovery?.authorizationServerUrl || !clientInformation) return;
      try {
        const fresh = await refreshAuthorization(discovery.authorizationServerUrl, {
          metadata: discovery.authorizationServerMetadata,
          clientInformation,
          refreshToken: tokens.refresh_token,
          resource: discovery.resourceMetadata?.resource ? new URL(discovery.resourceMetadata.resource) : undefined,
          addClientAuthentication: this.addClientAuthentication,
        });
        await this.saveTokens({ ...fresh, issuer: tokens.issuer });
        this.note('refreshed the access token');
      } catch (error) {
        this.note(`could not refresh the access token: ${error instanceof Error ? error.message : String(error)}`);
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async persist(): Promise<void> {
    if (this.config.type === 'none') return;
    // Discovery alone is not worth a file entry (and sign-out leaves none behind).
    if (!this.data.tokens && !this.data.clientInformation) return;
    await this.store.set(this.name, this.url, configKeyOf(this.config), this.data);
  }

  private refreshView(patch: Partial<McpAuthStatus> = {}): void {
    const tokens = this.data.tokens;
    const base: McpAuthStatus = {
      state: this.config.type === 'none' ? 'none' : tokens ? 'authorized' : this.view.state === 'authorized' ? 'none' : this.view.state,
      account: tokens ? (this.data.account ?? null) : null,
      scopes: tokens?.scope ? tokens.scope.split(' ').filter(Boolean) : [],
      authorizationUrl: null,
      expiresAt: tokens ? (this.data.expiresAt ?? null) : null,
      message: this.view.message,
    };
    this.view = { ...base, ...patch };
    if (this.view.state !== 'authorizing') this.view.authorizationUrl = null;
    this.onChange();
  }
}
