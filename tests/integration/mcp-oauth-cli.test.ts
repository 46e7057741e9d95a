import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOAuthTestServer, type OAuthTestServer } from '../fixtures/oauth-test-server';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem mcp login NAME` / `tandem mcp logout NAME` (issue 13) as a person runs them, the test playing the browser. */

const temp = new TempDirs();
const running: TandemProcess[] = [];
let dataDir: string;
let as: OAuthTestServer;

beforeAll(async () => {
  dataDir = await temp.make('tandem-cli-mcp-oauth-');
  as = await startOAuthTestServer();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await as.stop();
  await temp.removeAll();
});

function tandem(...args: string[]): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dataDir, ...args], { TANDEM_NO_BROWSER: '1' });
  running.push(process);
  return process;
}

describe('tandem mcp login / logout', () => {
  test('login prints the link, waits for the redirect, and says who is connected; logout forgets the tokens', async () => {
    const add = tandem('mcp', 'add', 'secure', '--url', as.resourceUrl());
    expect((await add.waitForExit(60_000)).code, add.stderr()).toBe(0);

    const login = tandem('mcp', 'login', 'secure');
    const [, link] = await login.waitForStdout(/Open this link to sign in to secure:\n\s+(\S+)\n/);
    expect(link).toMatch(/\/authorize\?/);
    await as.approve(link!);
    const { code } = await login.waitForExit(60_000);
    expect(code, login.stderr()).toBe(0);
    expect(login.stdout()).toMatch(/^Connected as ada@example\.com$/m);

    const tokens = as.seen.issued.map((t) => t.accessToken);
    expect(await readFile(join(dataDir, 'mcp-auth.json'), 'utf8')).not.toContain(tokens[0]!);
    const call = tandem('mcp', 'call', 'secure', 'whoami');
    expect((await call.waitForExit(60_000)).code, call.stderr()).toBe(0);
    expect(call.stdout()).toContain('ada@example.com');
    expect(as.seen.authorizationRequests).toHaveLength(1);

    const logout = tandem('mcp', 'logout', 'secure');
    expect((await logout.waitForExit(60_000)).code, logout.stderr()).toBe(0);
    expect(logout.stdout()).toContain('Signed out of secure');
    expect(JSON.parse(await readFile(join(dataDir, 'mcp-auth.json'), 'utf8')).servers.secure).toBeUndefined();
  });
});
