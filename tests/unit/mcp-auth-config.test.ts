import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ServerConfigStore } from '../../electron/core/mcp/server-config-store';
import { FileKeyCipher } from '../../electron/core/providers/secret-store';
import { TempDirs } from '../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const SECRET = 'client-secret-abcdef-9876';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';

async function makeStore() {
  const dir = await temp.make('tandem-mcp-auth-config-');
  const path = join(dir, 'mcp-servers.json');
  const store = new ServerConfigStore(path, new FileKeyCipher(join(dir, 'secret.key')));
  await store.load();
  return { store, path };
}

describe('MCP server auth config (issue 13)', () => {
  test('left out means OAuth with discovery; none means never sign in; stdio has no auth', async () => {
    const { store } = await makeStore();
    await store.add({ transport: 'http', name: 'plain', url: 'https://mcp.example.com/mcp' });
    await store.add({ transport: 'http', name: 'off', url: 'https://mcp.example.com/mcp', auth: { type: 'none' } });
    await store.add({ transport: 'stdio', name: 'local', command: 'node' });
    expect(store.view('plain').auth).toEqual({ type: 'oauth', clientId: null, clientSecret: null, privateKey: false, signingAlgorithm: null, scope: null });
    expect((await store.resolve('off')).auth).toEqual({ type: 'none' });
    expect(store.view('local').auth).toBeNull();
  });

  test('a client secret is sealed, shown masked, kept when left out on update, and listed for redaction', async () => {
    const { store, path } = await makeStore();
    await store.add({ transport: 'http', name: 'remote', url: 'https://mcp.example.com/mcp', auth: { type: 'oauth', clientId: 'tandem-app', clientSecret: SECRET, scope: 'read' } });
    expect(await readFile(path, 'utf8')).not.toContain(SECRET);
    expect(store.view('remote').auth).toMatchObject({ type: 'oauth', clientId: 'tandem-app', clientSecret: '••••9876', scope: 'read' });

    await store.update({ transport: 'http', name: 'remote', url: 'https://mcp.example.com/mcp', auth: { type: 'oauth', clientId: 'tandem-app', scope: 'read write' } });
    const resolved = await store.resolve('remote');
    expect(resolved.auth).toEqual({ type: 'oauth', clientId: 'tandem-app', clientSecret: SECRET, scope: 'read write' });
    expect(resolved.secrets).toContain(SECRET);

    // Another client id does not inherit the secret.
    await store.update({ transport: 'http', name: 'remote', url: 'https://mcp.example.com/mcp', auth: { type: 'oauth', clientId: 'other' } });
    expect((await store.resolve('remote')).auth).toMatchObject({ clientId: 'other', clientSecret: null });
  });

  test('client credentials need a secret or a private key; the key is sealed and only said to exist', async () => {
    const { store, path } = await makeStore();
    await expect(store.add({ transport: 'http', name: 'm2m', url: 'https://mcp.example.com/mcp', auth: { type: 'client-credentials', clientId: 'svc' } })).rejects.toThrow(/secret or a private key/);
    await store.add({ transport: 'http', name: 'm2m', url: 'https://mcp.example.com/mcp', auth: { type: 'client-credentials', clientId: 'svc', privateKeyPem: PEM, signingAlgorithm: 'ES256' } });
    expect(await readFile(path, 'utf8')).not.toContain('PRIVATE KEY');
    expect(store.view('m2m').auth).toEqual({ type: 'client-credentials', clientId: 'svc', clientSecret: null, privateKey: true, signingAlgorithm: 'ES256', scope: null });
    expect((await store.resolve('m2m')).auth).toMatchObject({ type: 'client-credentials', privateKeyPem: PEM, signingAlgorithm: 'ES256', clientSecret: null });
  });
});
