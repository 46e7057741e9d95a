import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, test } from 'vitest';
import { accountFromTokens } from '../../electron/core/mcp/auth/account';
import { AuthStore } from '../../electron/core/mcp/auth/auth-store';
import { FileKeyCipher } from '../../electron/core/providers/secret-store';
import { TempDirs } from '../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const TOKENS = { access_token: 'at-secret-value-123456', refresh_token: 'rt-secret-value-654321', token_type: 'Bearer' };

async function store() {
  const dir = await temp.make('tandem-auth-store-');
  const path = join(dir, 'mcp-auth.json');
  return { path, make: () => new AuthStore(path, new FileKeyCipher(join(dir, 'secret.key'))) };
}

describe('AuthStore (mcp-auth.json)', () => {
  test('tokens are sealed at rest and read back by a new store', async () => {
    const { path, make } = await store();
    await make().set('remote', 'https://mcp.example.com/mcp', 'oauth:', { tokens: TOKENS, account: 'ada@example.com' });
    const raw = await readFile(path, 'utf8');
    for (const plain of [TOKENS.access_token, TOKENS.refresh_token, 'ada@example.com', 'access_token']) expect(raw).not.toContain(plain);
    expect((await make().get('remote', 'https://mcp.example.com/mcp', 'oauth:')).tokens).toEqual(TOKENS);
  });

  test('a changed URL or client drops the tokens (they are never used for another resource)', async () => {
    const { path, make } = await store();
    const s = make();
    await s.set('remote', 'https://mcp.example.com/mcp', 'oauth:', { tokens: TOKENS });
    expect(await s.get('remote', 'https://other.example.com/mcp', 'oauth:')).toEqual({});
    expect(JSON.parse(await readFile(path, 'utf8')).servers.remote).toBeUndefined();
    await s.set('remote', 'https://mcp.example.com/mcp', 'oauth:', { tokens: TOKENS });
    expect(await s.get('remote', 'https://mcp.example.com/mcp', 'oauth:my-client')).toEqual({});
  });

  test('a file sealed with a lost key means signing in again, not a crash', async () => {
    const { path, make } = await store();
    await make().set('remote', 'https://mcp.example.com/mcp', 'oauth:', { tokens: TOKENS });
    const other = new AuthStore(path, new FileKeyCipher(join(await temp.make('tandem-other-key-'), 'secret.key')));
    expect(await other.get('remote', 'https://mcp.example.com/mcp', 'oauth:')).toEqual({});
  });
});

describe('AuthStore shared by the app and the CLI (two stores on one file)', () => {
  const URL_A = 'https://a.example.com/mcp';
  const URL_B = 'https://b.example.com/mcp';

  test('each write changes only its own server: a sign-in by the other process survives, and reads see it', async () => {
    const { path, make } = await store();
    const app = make();
    const cli = make();
    expect(await app.get('a', URL_A, 'oauth:')).toEqual({}); // the app read the file before the CLI signed in
    await cli.set('b', URL_B, 'oauth:', { tokens: { ...TOKENS, access_token: 'cli-token' } });
    await app.set('a', URL_A, 'oauth:', { tokens: TOKENS }); // e.g. the app's next token refresh
    const servers = JSON.parse(await readFile(path, 'utf8')).servers;
    expect(Object.keys(servers).sort()).toEqual(['a', 'b']);
    expect((await app.get('b', URL_B, 'oauth:')).tokens?.access_token).toBe('cli-token');
    expect((await cli.get('a', URL_A, 'oauth:')).tokens).toEqual(TOKENS);
    // A newer sign-in by one is what the other reads next (no stale copy).
    await cli.set('a', URL_A, 'oauth:', { tokens: { ...TOKENS, access_token: 'newer' } });
    expect((await app.get('a', URL_A, 'oauth:')).tokens?.access_token).toBe('newer');
    // Sign-out removes only that server.
    await app.delete('a');
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).servers)).toEqual(['b']);
    expect(await cli.get('a', URL_A, 'oauth:')).toEqual({});
  });

  test('a broken mcp-auth.json is kept aside, not overwritten by the next save', async () => {
    const { path, make } = await store();
    await writeFile(path, '{ "version": 1, "servers": { broken');
    const s = make();
    expect(await s.get('a', URL_A, 'oauth:')).toEqual({});
    expect(s.configProblem).toMatchObject({ file: 'mcp-auth.json', message: expect.stringMatching(/mcp-auth\.json could not be used because it is not valid JSON/) });
    expect(await readFile(s.configProblem!.keptAs, 'utf8')).toBe('{ "version": 1, "servers": { broken');
    await s.set('a', URL_A, 'oauth:', { tokens: TOKENS });
    expect((await s.get('a', URL_A, 'oauth:')).tokens).toEqual(TOKENS);
    expect(await readFile(s.configProblem!.keptAs, 'utf8')).toBe('{ "version": 1, "servers": { broken');
    expect((await readdir(dirname(path))).filter((f) => f.startsWith('mcp-auth.json.invalid-'))).toHaveLength(1);
  });
});

describe('accountFromTokens', () => {
  const jwt = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32));

  test('says who from the id_token (email first), else from a JWT access token, else nothing', async () => {
    expect(accountFromTokens({ ...TOKENS, id_token: await jwt({ sub: 'u1', email: 'ada@example.com' }) })).toBe('ada@example.com');
    expect(accountFromTokens({ token_type: 'Bearer', access_token: await jwt({ sub: 'u1', preferred_username: 'ada' }) })).toBe('ada');
    expect(accountFromTokens(TOKENS)).toBeNull();
  });
});
