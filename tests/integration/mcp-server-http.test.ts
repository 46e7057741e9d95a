import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { ApiCaller, ApiRequestRecord } from '../../electron/core/server/api/api-gate';
import { createMcpHttpHandler, type McpHttpHandler } from '../../electron/core/server/mcp/mcp-http';
import { allowedHosts } from '../../electron/core/server/security';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Tandem's MCP server over streamable HTTP (what the API mounts at /mcp once
 * a key is checked): sessions belong to the key that opened them, Host and
 * Origin are checked against DNS rebinding, bad requests get JSON-RPC errors,
 * tool calls reach the request log. The key check itself is the API's; here a
 * header names the caller.
 */

const temp = new TempDirs();
let core: Core;
let handler: McpHttpHandler;
let http: Server;
let port: number;
let url: string;
const records: { caller: ApiCaller; entry: ApiRequestRecord }[] = [];

beforeAll(async () => {
  requireStoriesModel();
  core = await createCore({ dataDir: await temp.make('tandem-mcp-http-'), modelsDirs: [sharedModelsDir], mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  let hosts = new Set<string>();
  handler = createMcpHttpHandler(core, {
    allowedHosts: () => hosts,
    allowedOrigins: () => new Set(['https://allowed.example']),
    record: (caller, entry) => records.push({ caller, entry }),
    maxSessions: 3,
  });
  http = createServer((req, res) => {
    const key = String(req.headers['x-test-key'] ?? 'alice');
    void handler.handle(req, res, { keyId: key, keyName: key });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  hosts = allowedHosts('127.0.0.1', port);
  url = `http://127.0.0.1:${port}/mcp`;
});

afterAll(async () => {
  await handler?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  await core?.dispose();
  await temp.removeAll();
});

async function connect(key = 'alice'): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { 'x-test-key': key } } });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** A raw POST with the given headers and body; answers status, headers and the body text. */
function post(headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

describe('MCP over streamable HTTP', () => {
  test('a client works through a session; its tool calls reach the request log with the caller', async () => {
    const { client, transport } = await connect('alice');
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const result = await client.callTool({ name: 'generate', arguments: { model: storiesModelId, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 } });
    expect(result.isError ?? false).toBe(false);
    const logged = records.find((r) => r.entry.endpoint === 'MCP tools/call generate');
    expect(logged?.caller.keyName).toBe('alice');
    expect(logged?.entry).toMatchObject({ model: storiesModelId, status: 200, costUsd: 0 });
    expect(logged!.entry.outputTokens).toBeGreaterThan(0);
    const failed = await client.callTool({ name: 'generate', arguments: { model: 'nobody', messages: [{ role: 'user', content: 'x' }] } });
    expect(failed.isError).toBe(true);
    expect(records.at(-1)?.entry).toMatchObject({ endpoint: 'MCP tools/call generate', status: 500, model: null });
    await client.close();
  });

  test("another key cannot use a session: it is answered as unknown (404)", async () => {
    const { client, transport } = await connect('alice');
    const stolen = await post({ host: `127.0.0.1:${port}`, 'x-test-key': 'mallory', 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' }, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    expect(stolen.status).toBe(404);
    expect(JSON.parse(stolen.text).error.message).toMatch(/Session not found/);
    // Its owner goes on.
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
    await client.close();
  });

  test('a foreign Host or Origin is refused with 403 before anything runs; an allowed origin passes', async () => {
    const rebinding = await post({ host: 'evil.example:80', origin: 'http://evil.example' }, INITIALIZE);
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.text).error.message).toMatch(/Host/);
    const foreignPage = await post({ host: `127.0.0.1:${port}`, origin: 'http://evil.example' }, INITIALIZE);
    expect(foreignPage.status).toBe(403);
    expect(JSON.parse(foreignPage.text).error.message).toMatch(/Origin/);
    const listed = await post({ host: `localhost:${port}`, origin: 'https://allowed.example' }, INITIALIZE);
    expect(listed.status).toBe(200);
    const sameOrigin = await post({ host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }, INITIALIZE);
    expect(sameOrigin.status).toBe(200);
  });

  test('bad requests get JSON-RPC errors: not JSON, no session, unknown session, too large', async () => {
    const host = { host: `127.0.0.1:${port}` };
    const notJson = await post(host, '{nope');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text).error.code).toBe(-32700);
    const noSession = await post(host, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }));
    expect(noSession.status).toBe(400);
    expect(JSON.parse(noSession.text).error.message).toMatch(/initialize/);
    const unknown = await post({ ...host, 'mcp-session-id': 'no-such-session' }, JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }));
    expect(unknown.status).toBe(404);
    const huge = await post(host, JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'initialize', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    // The server still answers.
    const { client } = await connect();
    expect((await client.ping()) ?? {}).toEqual({});
    await client.close();
  });

  test('sessions are bounded: past the limit the least recently used one ends', async () => {
    const first = await connect('alice');
    await first.client.listTools();
    const others = [await connect('alice'), await connect('alice'), await connect('alice')];
    // The first session was the oldest of four with a limit of three: it is gone.
    await expect(first.client.listTools()).rejects.toThrow();
    for (const other of others) expect((await other.client.listTools()).tools.length).toBeGreaterThan(5);
    for (const session of [first, ...others]) await session.client.close().catch(() => undefined);
  });
});
