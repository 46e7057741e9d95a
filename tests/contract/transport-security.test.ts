import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { startServeServer, type ServeServer } from '../../electron/core/server/serve-server';
import { createToken } from '../../electron/core/server/security';
import { WS_PATH } from '../../shared/ipc/wire';
import { repoRoot } from '../support/paths';
import { ensureUiBuilt } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { TandemWsClient, wsUrl } from '../support/ws-client';

const temp = new TempDirs();
let core: Core;
let server: ServeServer;
const token = createToken();

beforeAll(async () => {
  ensureUiBuilt();
  const logger = new RecordingLogger();
  core = await createCore({ dataDir: await temp.make('tandem-sec-'), mode: 'serve', version: '0.0.0-test', logger, gpu: false });
  server = await startServeServer({
    rpc: core.rpc,
    logger,
    token,
    host: '127.0.0.1',
    port: 0,
    staticDir: join(repoRoot, 'out', 'renderer'),
  });
});

afterAll(async () => {
  await server?.close();
  await core?.dispose();
  await temp.removeAll();
});

/** Tries to open the socket; resolves with the HTTP status of a refusal, or 101 when it opened. */
function tryConnect(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sameOrigin = () => `http://127.0.0.1:${server.port}`;

describe('the WebSocket', () => {
  test('without a token is refused with 401', async () => {
    expect(await tryConnect(`ws://127.0.0.1:${server.port}${WS_PATH}`)).toBe(401);
    expect(await tryConnect(`ws://127.0.0.1:${server.port}${WS_PATH}?token=`)).toBe(401);
  });

  test('with a wrong token is refused with 401', async () => {
    expect(await tryConnect(wsUrl(server.port, createToken()))).toBe(401);
    expect(await tryConnect(wsUrl(server.port, token.slice(0, -1)))).toBe(401);
    expect(await tryConnect(wsUrl(server.port, `${token}x`))).toBe(401);
  });

  test('from a foreign page (Origin) is refused with 403, even with the token', async () => {
    expect(await tryConnect(wsUrl(server.port, token), { origin: 'http://evil.example' })).toBe(403);
    expect(await tryConnect(wsUrl(server.port, token), { origin: `https://127.0.0.1:${server.port}` })).toBe(403);
    expect(await tryConnect(wsUrl(server.port, token), { origin: 'null' })).toBe(403);
  });

  test('under a foreign Host name (DNS rebinding) is refused, even with the token', async () => {
    const status = await tryConnect(wsUrl(server.port, token), {
      headers: { Host: `evil.example:${server.port}` },
      origin: `http://evil.example:${server.port}`,
    });
    expect(status).toBe(421);
    expect(await tryConnect(wsUrl(server.port, token), { headers: { Host: `evil.example:${server.port}` } })).toBe(421);
  });

  test('on another path is not the API', async () => {
    expect(await tryConnect(`ws://127.0.0.1:${server.port}/other?token=${token}`)).toBe(404);
  });

  test('with the right token from this server\'s own page works', async () => {
    const client = await TandemWsClient.connect(wsUrl(server.port, token), { origin: sameOrigin() });
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ name: 'Tandem', mode: 'serve' });
    await client.close();
  });

  test('with the right token and no Origin (a script, the CLI) works', async () => {
    const client = await TandemWsClient.connect(wsUrl(server.port, token));
    expect((await client.call('chats.list', {})).length).toBeGreaterThanOrEqual(0);
    await client.close();
  });
});

describe('the UI over HTTP', () => {
  test('is served to this server\'s own Host with a strict CSP', async () => {
    const page = await get('/', { Host: `127.0.0.1:${server.port}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  test('is refused to a foreign Host (DNS rebinding)', async () => {
    const page = await get('/', { Host: 'evil.example' });
    expect(page.status).toBe(421);
    expect(page.body).not.toContain('<html');
    expect((await get('/', { Host: `evil.example:${server.port}` })).status).toBe(421);
  });

  test('does not hand out files outside the UI folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json', '/assets/../../../package.json']) {
      const response = await get(path, { Host: `127.0.0.1:${server.port}` });
      expect(response.body, path).not.toContain('"name": "tandem"');
    }
  });

  test('accepts only GET and HEAD', async () => {
    expect((await get('/', { Host: `127.0.0.1:${server.port}` }, 'POST')).status).toBe(405);
    expect((await get('/', { Host: `127.0.0.1:${server.port}` }, 'HEAD')).status).toBe(200);
  });
});
