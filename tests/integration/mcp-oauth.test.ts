import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { McpServerStatus } from '../../shared/ipc/routes/mcp';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import type { McpAuthOptions } from '../../electron/core/mcp/auth';
import { startOAuthTestServer, type OAuthTestServer, type OAuthTestServerOptions } from '../fixtures/oauth-test-server';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * OAuth for HTTP MCP servers (issue 13) through McpHost, against the local
 * test authorization server (tests/fixtures/oauth-test-server.ts). "The
 * browser" is the fixture's `approve`: it opens the consent page, presses
 * Allow and follows the redirect to Tandem's loopback listener.
 */

const temp = new TempDirs();
const hosts: McpHost[] = [];
const servers: OAuthTestServer[] = [];

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.dispose()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(() => temp.removeAll());

async function authServer(options: OAuthTestServerOptions = {}): Promise<OAuthTestServer> {
  const server = await startOAuthTestServer(options);
  servers.push(server);
  return server;
}

/** A host whose "browser" approves every consent link; `opened` lists the links it was asked to open. */
async function makeHost(as: OAuthTestServer, dataDir?: string, auth: McpAuthOptions = {}) {
  const dir = dataDir ?? (await temp.make('tandem-mcp-oauth-'));
  const opened: string[] = [];
  const host = new McpHost({
    dataDir: dir,
    logger: new RecordingLogger(),
    loginShellPath: false,
    auth: {
      openExternal: (url) => {
        opened.push(url);
        void as.approve(url).catch(() => undefined);
      },
      ...auth,
    },
  });
  hosts.push(host);
  await host.init();
  return { host, opened, dataDir: dir };
}

async function signIn(host: McpHost, name: string): Promise<McpServerStatus> {
  const { authorizationUrl, done } = await host.login(name);
  expect(authorizationUrl).toMatch(/\/authorize\?/);
  return done;
}

const tokensOf = (as: OAuthTestServer) => as.seen.issued.flatMap((t) => [t.accessToken, ...(t.refreshToken ? [t.refreshToken] : [])]);

describe('MCP OAuth (issue 13)', () => {
  test('a 401 waits for Sign in; signing in through the consent page connects, says who, and keeps the token out of status, logs and disk', async () => {
    const as = await authServer();
    const { host, opened, dataDir } = await makeHost(as);

    const added = await host.add({ transport: 'http', name: 'secure', url: as.resourceUrl(), timeoutMs: 5000 });
    await expect.poll(() => host.status('secure')?.auth?.state).toBe('required');
    expect(host.status('secure')?.state).toBe('error');
    expect(host.status('secure')?.error?.message).toMatch(/needs you to sign in/);
    expect(opened, 'no browser opens by itself at start-up').toEqual([]);
    expect(added.config.auth?.type).toBe('oauth');

    const { authorizationUrl, status, done } = await host.login('secure');
    expect(authorizationUrl).toBe(opened[0]);
    expect(status.auth?.state).toBe('authorizing');
    const url = new URL(authorizationUrl!);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(as.resourceUrl());
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    // The AS offers offline_access, so Tandem asks for it (a refresh token).
    expect(url.searchParams.get('scope')?.split(' ')).toContain('offline_access');

    const ready = await done;
    expect(ready.state).toBe('ready');
    expect(ready.auth).toMatchObject({ state: 'authorized', account: 'ada@example.com', authorizationUrl: null, message: null });
    expect(ready.auth?.scopes).toContain('mcp:tools');
    expect(ready.auth?.expiresAt).toBeGreaterThan(Date.now());
    expect(as.seen.registrations).toEqual([expect.objectContaining({ clientName: 'Tandem', grantTypes: expect.arrayContaining(['authorization_code', 'refresh_token']) })]);

    const result = await host.callTool('secure', 'whoami', {});
    expect(result.text).toContain('ada@example.com');

    const secrets = tokensOf(as);
    expect(secrets.length).toBeGreaterThan(0);
    const shown = JSON.stringify([host.list(), host.logs('secure')]);
    const onDisk = await readFile(join(dataDir, 'mcp-auth.json'), 'utf8');
    for (const secret of secrets) {
      expect(shown).not.toContain(secret);
      expect(onDisk).not.toContain(secret);
    }
    expect(onDisk).not.toContain('access_token');
    expect(JSON.parse(onDisk).servers.secure.resource).toBe(as.resourceUrl());
  });

  test('a short-lived token is refreshed before it expires, without the browser, and survives a restart sealed', async () => {
    const as = await authServer({ accessTokenTtlSeconds: 2 });
    const { host, opened, dataDir } = await makeHost(as);
    await host.add({ transport: 'http', name: 'short', url: as.resourceUrl(), timeoutMs: 5000 });
    await signIn(host, 'short');
    expect(opened).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const before = as.seen.presented.length;
    const result = await host.callTool('short', 'whoami', {});
    expect(result.isError).toBe(false);
    expect(as.seen.tokenRequests.map((r) => r.grantType)).toContain('refresh_token');
    expect(as.seen.presented.slice(before).map((p) => p.status), 'the refreshed token was sent; no 401 round trip').not.toContain(401);
    expect(as.seen.authorizationRequests).toHaveLength(1);
    expect(opened).toHaveLength(1);
    expect(host.status('short')?.auth?.expiresAt).toBeGreaterThan(Date.now());

    // A new app start on the same data dir connects with the stored (sealed) tokens, no browser.
    await host.dispose();
    const again = await makeHost(as, dataDir);
    expect(again.host.status('short')?.auth, 'the stored sign-in shows before connecting').toMatchObject({ state: 'authorized', account: 'ada@example.com' });
    await again.host.ensureReady('short');
    expect(again.host.status('short')?.auth?.state).toBe('authorized');
    expect(again.opened).toEqual([]);
    expect(as.seen.authorizationRequests).toHaveLength(1);
  });

  test('sign out forgets the tokens and the registration: gone from disk, state back to required', async () => {
    const as = await authServer();
    const { host, dataDir } = await makeHost(as);
    await host.add({ transport: 'http', name: 'secure', url: as.resourceUrl(), timeoutMs: 5000 });
    await signIn(host, 'secure');
    expect(JSON.parse(await readFile(join(dataDir, 'mcp-auth.json'), 'utf8')).servers.secure).toBeDefined();

    const out = await host.logout('secure');
    expect(JSON.parse(await readFile(join(dataDir, 'mcp-auth.json'), 'utf8')).servers.secure).toBeUndefined();
    await expect.poll(() => host.status('secure')?.auth?.state).toBe('required');
    expect(out.auth?.account ?? null).toBeNull();
    expect(host.status('secure')?.state).toBe('error');
    await expect(host.callTool('secure', 'whoami', {})).rejects.toThrow(/sign in/);

    // Signing in again registers a new client (the old registration was forgotten).
    await signIn(host, 'secure');
    expect(as.seen.registrations).toHaveLength(2);
    expect(host.status('secure')?.state).toBe('ready');
  });

  test('step-up: a 403 insufficient_scope asks to authorize the wider scope, then retries the call once', async () => {
    const as = await authServer({ stepUp: { tool: 'delete_everything', scope: 'mcp:admin' }, scopesSupported: ['mcp:tools', 'offline_access'] });
    const { host, opened } = await makeHost(as);
    await host.add({ transport: 'http', name: 'admin', url: as.resourceUrl(), timeoutMs: 5000 });
    await signIn(host, 'admin');
    expect(as.seen.authorizationRequests[0]?.scope?.split(' ')).not.toContain('mcp:admin');

    const result = await host.callTool('admin', 'delete_everything', {});
    expect(result.text).toBe('done with mcp:admin');
    expect(opened).toHaveLength(2);
    expect(as.seen.authorizationRequests[1]?.scope?.split(' ')).toEqual(expect.arrayContaining(['mcp:tools', 'mcp:admin']));
    const calls = as.seen.presented.filter((p) => p.method === 'tools/call').map((p) => p.status);
    expect(calls, 'refused once, retried once').toEqual([403, 200]);
    expect(host.status('admin')?.auth?.scopes).toContain('mcp:admin');
  });

  test('a token is only ever sent to the resource it was issued for', async () => {
    const as = await authServer({ resourcePaths: ['/mcp/alpha', '/mcp/beta'] });
    const { host } = await makeHost(as);
    await host.add({ transport: 'http', name: 'alpha', url: as.resourceUrl('/mcp/alpha'), timeoutMs: 5000 });
    await host.add({ transport: 'http', name: 'beta', url: as.resourceUrl('/mcp/beta'), timeoutMs: 5000 });
    await signIn(host, 'alpha');
    await signIn(host, 'beta');
    expect((await host.callTool('alpha', 'whoami', {})).text).toContain('/mcp/alpha');
    expect((await host.callTool('beta', 'whoami', {})).text).toContain('/mcp/beta');

    const issuedFor = new Map(as.seen.issued.map((t) => [t.accessToken, t.resource]));
    const presented = as.seen.presented.filter((p) => p.token !== null);
    expect(new Set(presented.map((p) => p.resource))).toEqual(new Set([as.resourceUrl('/mcp/alpha'), as.resourceUrl('/mcp/beta')]));
    for (const p of presented) expect(issuedFor.get(p.token!), `token sent to ${p.resource}`).toBe(p.resource);

    // A changed URL drops the tokens: they are not sent to the new address.
    const tokenCount = as.seen.presented.filter((p) => p.token).length;
    await host.update({ transport: 'http', name: 'alpha', url: as.resourceUrl('/mcp/beta'), timeoutMs: 5000 });
    await expect.poll(() => host.status('alpha')?.auth?.state).toBe('required');
    const after = as.seen.presented.slice(tokenCount).filter((p) => p.token);
    for (const p of after) expect(issuedFor.get(p.token!)).toBe(p.resource);
  });

  test('signing in again while the registered loopback port is taken registers the new redirect and still works', async () => {
    const as = await authServer();
    const { host, opened } = await makeHost(as);
    await host.add({ transport: 'http', name: 'secure', url: as.resourceUrl(), timeoutMs: 5000 });
    await signIn(host, 'secure');
    const port = Number(new URL(as.seen.registrations[0]!.redirectUris[0]!).port);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const status = await signIn(host, 'secure');
      expect(status.state).toBe('ready');
      expect(as.seen.registrations).toHaveLength(2);
      expect(new URL(as.seen.registrations[1]!.redirectUris[0]!).port).not.toBe(String(port));
      expect(opened).toHaveLength(2);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('a 401 from a server with no OAuth metadata says to check its headers, and registers nothing', async () => {
    const requests: string[] = [];
    const plain = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(req.url === '/mcp' ? 401 : 404, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const as = await authServer();
      const { host, opened } = await makeHost(as);
      const url = `http://127.0.0.1:${(plain.address() as { port: number }).port}/mcp`;
      await host.add({ transport: 'http', name: 'keyed', url, timeoutMs: 5000 });
      await expect.poll(() => host.status('keyed')?.auth?.state).toBe('required');
      expect(host.status('keyed')?.error?.message).toMatch(/401 Unauthorized and advertises no OAuth metadata: check its headers/);
      expect(requests.filter((r) => r.startsWith('POST /register'))).toEqual([]);
      expect(opened).toEqual([]);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  test('client credentials (secret) connect with no browser', async () => {
    const as = await authServer({ clients: { 'machine-1': 'machine-secret-123456' }, account: null });
    const { host, opened } = await makeHost(as);
    const added = await host.add({
      transport: 'http',
      name: 'machine',
      url: as.resourceUrl(),
      timeoutMs: 5000,
      auth: { type: 'client-credentials', clientId: 'machine-1', clientSecret: 'machine-secret-123456', scope: 'mcp:tools' },
    });
    expect(added.config.auth).toMatchObject({ type: 'client-credentials', clientId: 'machine-1', clientSecret: '••••3456', privateKey: false });
    await host.ensureReady('machine');
    expect(host.status('machine')?.auth).toMatchObject({ state: 'authorized', account: null });
    expect((await host.callTool('machine', 'whoami', {})).isError).toBe(false);
    expect(opened).toEqual([]);
    expect(as.seen.tokenRequests).toEqual([expect.objectContaining({ grantType: 'client_credentials', authMethod: 'client_secret_basic', resource: as.resourceUrl() })]);
    expect(JSON.stringify(host.list())).not.toContain('machine-secret-123456');
  });

  test('Deny in the browser ends the sign-in with a message, not a token', async () => {
    const as = await authServer();
    const { host } = await makeHost(as, undefined, { openExternal: (url) => void as.approve(url, 'deny').catch(() => undefined) });
    await host.add({ transport: 'http', name: 'secure', url: as.resourceUrl(), timeoutMs: 5000 });
    const { done } = await host.login('secure');
    const status = await done;
    expect(status.auth).toMatchObject({ state: 'error', message: expect.stringMatching(/denied/i) });
    expect(status.state).toBe('error');
    expect(as.seen.tokenRequests).toEqual([]);
  });
});
