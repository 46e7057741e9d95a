/* eslint-disable @typescript-eslint/no-explicit-any -- tool results are JSON, read here by their documented shape */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { createApiHandler } from '../../electron/core/server/api/api-handler';
import { startApiServer, type ApiServer } from '../../electron/core/server/api/api-server';
import { createMcpHttpHandler, type McpHttpHandler } from '../../electron/core/server/mcp/mcp-http';
import { allowedHosts } from '../../electron/core/server/security';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { requireStoriesModel, sharedModelsDir, storiesModelPath } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * The API server's and MCP server's defences, on a real core behind the key
 * service: model ids over MCP are checked as over HTTP (no file paths),
 * local-only document text does not leave through MCP, requests refused at
 * the door stay out of the log file and failed keys are rate-limited per
 * address, concurrent requests cannot overrun a daily token quota, a client
 * that drops /mcp cancels its tool call, /mcp carries CORS headers, a stream
 * that fails after its headers is logged with its error status, MCP sessions
 * are bounded per key and expire when idle.
 */

const FAKE_KEY = 'sk-fake-hardening';
const CORS_ORIGIN = 'https://allowed.example';
const SECRET_SENTENCE = 'The vault combination is seven seven three';
const temp = new TempDirs();
let fake: FakeOpenAIServer;
let core: Core;
let dataDir: string;
let server: ApiServer;
let origin: string;
let mainSecret: string;

type ToolResult = CallToolResult & { structuredContent?: Record<string, any> };

beforeAll(async () => {
  requireStoriesModel();
  fake = await startFakeOpenAI({ apiKey: FAKE_KEY });
  dataDir = await temp.make('tandem-api-hardening-');
  const docs = await temp.make('tandem-api-hardening-docs-');
  await mkdir(join(docs, 'open'), { recursive: true });
  await mkdir(join(docs, 'private'), { recursive: true });
  await writeFile(join(docs, 'open', 'harbour.md'), '# Harbour\n\nThe harbour vault keeps the tide tables.\n');
  await writeFile(join(docs, 'private', 'vault.md'), `# Vault\n\n${SECRET_SENTENCE}, says the harbour vault keeper.\n`);
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, providerRetry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 20 } });
  await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: fake.baseUrl, apiKey: FAKE_KEY });
  await core.settings.update({ maxTokens: 16 });
  const open = await core.documents.add({ name: 'open', paths: [join(docs, 'open')] });
  const secret = await core.documents.add({ name: 'private', paths: [join(docs, 'private')], localOnly: true });
  await core.documents.waitForIdle(open.id);
  await core.documents.waitForIdle(secret.id);
  mainSecret = (await core.apiKeys.add({ name: 'main' })).secret;
  server = await serve();
  origin = server.url.replace(/\/v1$/, '');
}, 60_000);

afterAll(async () => {
  await server?.close();
  await core?.dispose();
  await fake?.close();
  await temp.removeAll();
});

/** The API (and /mcp) on a free port with the core's key service as gate. */
async function serve(failedAuth?: { perMinute: number; exemptLoopback?: boolean }): Promise<ApiServer> {
  let hosts = new Set<string>();
  const mcp = createMcpHttpHandler(core, {
    allowedHosts: () => hosts,
    allowedOrigins: () => new Set([CORS_ORIGIN]),
    record: (caller, entry) => core.apiKeys.record(caller, entry),
  });
  const handler = createApiHandler({ core, gate: core.apiKeys, mcp, corsOrigins: () => [CORS_ORIGIN], allowedHosts: () => hosts, modelContexts: null, failedAuth });
  const started = await startApiServer({ handler, host: '127.0.0.1', port: 0 });
  hosts = allowedHosts('127.0.0.1', started.port);
  return started;
}

async function mcpClient(secret = mainSecret): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${secret}` } } });
  const client = new Client({ name: 'hardening-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function errorText(result: ToolResult): string {
  expect(result.isError, JSON.stringify(result.content)).toBe(true);
  return (result.content as { text: string }[]).map((c) => c.text).join('\n');
}

function ok(result: ToolResult): Record<string, any> {
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  return result.structuredContent!;
}

/** A raw POST to the API server; answers status, headers and text. */
function post(path: string, headers: Record<string, string>, body: string, base = origin): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const MCP_HEADERS = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

describe('MCP tools check model ids as the HTTP API does', () => {
  test('a .gguf path is refused by generate and the benchmark tools (models and a judge) before any model runs; library ids still work', async () => {
    const client = await mcpClient();
    try {
      expect(errorText((await client.callTool({ name: 'generate', arguments: { model: storiesModelPath, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 } })) as ToolResult)).toMatch(
        /MODEL_NOT_FOUND: model: The model '.*stories260K\.gguf' does not exist/,
      );
      expect(errorText((await client.callTool({ name: 'benchmark_task', arguments: { task: 'Say hi', reference: 'hi', models: [storiesModelPath] } })) as ToolResult)).toMatch(/MODEL_NOT_FOUND: models:/);
      expect(
        errorText(
          (await client.callTool({
            name: 'benchmark_tasks',
            arguments: { tasks: [{ task: 'Say hi', grader: { type: 'judge', rubric: 'polite', judgeModelId: storiesModelPath } }], models: ['fake/gpt-test'] },
          })) as ToolResult,
        ),
      ).toMatch(/MODEL_NOT_FOUND: task 1: grader\.judgeModelId/);
      // The fake cloud was never asked by the refused benchmark.
      expect(fake.bodies.length).toBe(0);
      expect(ok((await client.callTool({ name: 'generate', arguments: { model: 'tandem/auto', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4 } })) as ToolResult).model).toBeTruthy();
    } finally {
      await client.close();
    }
  });

  test('a regex grader with nested quantifiers or over 200 characters is refused', async () => {
    const client = await mcpClient();
    try {
      for (const pattern of ['(a+)+$', 'x'.repeat(201)]) {
        const result = (await client.callTool({ name: 'benchmark_tasks', arguments: { tasks: [{ task: 'Say a', grader: { type: 'regex', pattern } }], models: ['fake/gpt-test'] } })) as ToolResult;
        expect(errorText(result)).toMatch(/INVALID_INPUT: task 1: grader\.pattern is refused/);
      }
    } finally {
      await client.close();
    }
  });
});

describe('local-only documents over MCP', () => {
  test('search_documents answers local-only hits as citations without text and says how many were withheld; the resource has no chunk text', async () => {
    const client = await mcpClient();
    try {
      const open = ok((await client.callTool({ name: 'search_documents', arguments: { collection: 'open', query: 'harbour vault', mode: 'keyword' } })) as ToolResult);
      expect(open.results[0].snippet).toMatch(/vault/);
      expect(open.withheld).toBeUndefined();

      const result = (await client.callTool({ name: 'search_documents', arguments: { collection: 'private', query: 'harbour vault keeper', mode: 'keyword' } })) as ToolResult;
      const found = ok(result);
      expect(found.results.length).toBeGreaterThan(0);
      for (const hit of found.results) {
        expect(hit).toMatchObject({ localOnly: true, path: expect.stringMatching(/vault\.md$/), score: expect.any(Number) });
        expect(hit.snippet).toBeUndefined();
        expect(hit.text).toBeUndefined();
      }
      expect(found.withheld).toMatchObject({ count: found.results.length, reason: expect.stringMatching(/local-only/) });
      expect(JSON.stringify(result)).not.toContain('combination');

      const { resources } = await client.listResources();
      const uri = resources.find((r) => r.name === 'private')!.uri;
      const read = await client.readResource({ uri });
      const view = JSON.parse((read.contents[0] as { text: string }).text);
      expect(view).toMatchObject({ name: 'private', localOnly: true, chunks: 1 });
      expect(JSON.stringify(read)).not.toContain('combination');
    } finally {
      await client.close();
    }
  });
});

describe('the door', () => {
  test('/mcp answers carry CORS headers for an allow-listed origin, with Mcp-Session-Id exposed', async () => {
    const answer = await post('/mcp', { ...MCP_HEADERS, authorization: `Bearer ${mainSecret}`, origin: CORS_ORIGIN }, INITIALIZE);
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(CORS_ORIGIN);
    expect(String(answer.headers['access-control-expose-headers'])).toMatch(/Mcp-Session-Id/i);
    expect(answer.headers['mcp-session-id']).toBeTruthy();
  });

  test('refused requests stay out of requests.jsonl (listed in memory); past the failed-key limit an address gets 429 without its key being checked', async () => {
    const limited = await serve({ perMinute: 5, exemptLoopback: false });
    try {
      const get = (secret: string) => fetch(`${limited.url}/models`, { headers: { Authorization: `Bearer ${secret}` } });
      for (let i = 0; i < 5; i++) expect((await get(`tdm_wrong${i}`)).status).toBe(401);
      const blocked = await get(mainSecret);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(50);
      expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('too_many_failed_attempts');
      // The main server (loopback exempt by default) still answers the good key.
      expect((await fetch(`${server.url}/models`, { headers: { Authorization: `Bearer ${mainSecret}` } })).status).toBe(200);
    } finally {
      await limited.close();
    }
    await core.apiKeys.flush();
    const file = await readFile(join(dataDir, 'api', 'requests.jsonl'), 'utf8');
    const statuses = file.trim().split('\n').map((line) => (JSON.parse(line) as { status: number }).status);
    expect(statuses).toContain(200);
    expect(statuses).not.toContain(401);
    expect(statuses).not.toContain(429);
    const recent = core.apiKeys.requests(20);
    expect(recent.filter((r) => r.status === 401)).toHaveLength(5);
    expect(recent.find((r) => r.status === 429)).toBeDefined();
  });

  test('a stream that fails after its headers is logged with the error status, not 200', async () => {
    const answer = await post('/v1/chat/completions', { authorization: `Bearer ${mainSecret}` }, JSON.stringify({ model: 'fake/fault-reset-mid', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/"error"/);
    await new Promise((r) => setTimeout(r, 50));
    const logged = core.apiKeys.requests(20).find((r) => r.endpoint === 'POST /v1/chat/completions' && r.model === 'fake/fault-reset-mid');
    expect(logged?.status).toBeGreaterThanOrEqual(500);
  });

  test('count_tokens refuses more than 1 MB of text with 413', async () => {
    const answer = await post(
      '/v1/messages/count_tokens',
      { 'x-api-key': mainSecret, 'anthropic-version': '2023-06-01' },
      JSON.stringify({ model: 'fake/gpt-test', messages: [{ role: 'user', content: 'word '.repeat(250_000) }] }),
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });
});

describe('daily token quota under concurrency', () => {
  test('while one request holds most of the quota, a second concurrent one is clamped to what is left (or refused)', async () => {
    const { key, secret } = await core.apiKeys.add({ name: 'quota-1000', dailyTokens: 1000 });
    const controller = new AbortController();
    const first = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'fake/slow-test', stream: true, max_tokens: 900, messages: [{ role: 'user', content: 'Take your time' }] }),
    });
    expect(first.status).toBe(200);
    expect(core.apiKeys.inFlight(key.id)).toBe(1);
    const before = fake.bodies.length;
    const second = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'fake/gpt-test', max_tokens: 900, messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    if (second.status === 200) {
      const sent = fake.bodies.slice(before).find((b) => b.model === 'gpt-test')!;
      const maxTokens = Number(sent.max_completion_tokens ?? sent.max_tokens);
      expect(maxTokens).toBeGreaterThan(0);
      expect(maxTokens).toBeLessThanOrEqual(100);
    } else {
      expect(second.status).toBe(429);
    }
    controller.abort();
    await first.body?.cancel().catch(() => undefined);
    for (let i = 0; i < 100 && core.apiKeys.inFlight(key.id) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(core.apiKeys.inFlight(key.id)).toBe(0);
    expect(core.apiKeys.find('quota-1000')!.today.tokens).toBeLessThanOrEqual(1000);
  });
});

describe('MCP over HTTP: disconnects and sessions', () => {
  test('a client that drops its /mcp connection cancels its generate: the model stream is closed early', async () => {
    const slowBefore = fake.requests.get('slow-test') ?? 0;
    const init = await post('/mcp', { ...MCP_HEADERS, authorization: `Bearer ${mainSecret}` }, INITIALIZE);
    const session = String(init.headers['mcp-session-id']);
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${mainSecret}`, 'mcp-session-id': session };
    expect((await post('/mcp', headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }))).status).toBe(202);
    const url = new URL('/mcp', origin);
    const req = httpRequest({ host: url.hostname, port: url.port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'generate', arguments: { model: 'fake/slow-test', messages: [{ role: 'user', content: 'Take your time' }] } } }));
    // slow-test sends one delta every 50 ms for 10 s; the client goes away once it is streaming.
    for (let i = 0; i < 150 && (fake.requests.get('slow-test') ?? 0) === slowBefore; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fake.requests.get('slow-test')).toBe(slowBefore + 1);
    await new Promise((r) => setTimeout(r, 200));
    const closedBefore = fake.closedEarly.filter((m) => m === 'slow-test').length;
    const dropped = performance.now();
    req.destroy();
    for (let i = 0; i < 150 && fake.closedEarly.filter((m) => m === 'slow-test').length === closedBefore; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fake.closedEarly.filter((m) => m === 'slow-test').length).toBe(closedBefore + 1);
    expect(performance.now() - dropped).toBeLessThan(3000);
  });

  test('one key holds a bounded number of sessions (its own oldest ends, not another key’s), and idle sessions expire', async () => {
    let hosts = new Set<string>();
    const handler: McpHttpHandler = createMcpHttpHandler(core, { allowedHosts: () => hosts, allowedOrigins: () => new Set(), maxSessionsPerKey: 2, sessionIdleMs: 1500 });
    const http: Server = createServer((req, res) => {
      const key = String(req.headers['x-test-key'] ?? 'alice');
      void handler.handle(req, res, { keyId: key, keyName: key });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    hosts = allowedHosts('127.0.0.1', port);
    const connect = async (key: string) => {
      const client = new Client({ name: 'sessions', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { 'x-test-key': key } } }));
      return client;
    };
    try {
      const bob = await connect('bob');
      const alice = [await connect('alice'), await connect('alice'), await connect('alice')];
      // Alice's oldest session ended; Bob's is untouched.
      await expect(alice[0]!.listTools()).rejects.toThrow();
      expect((await alice[2]!.listTools()).tools.length).toBeGreaterThan(5);
      expect((await bob.listTools()).tools.length).toBeGreaterThan(5);
      // Bob goes quiet past the idle time while Alice keeps using hers.
      await new Promise((r) => setTimeout(r, 800));
      expect((await alice[2]!.listTools()).tools.length).toBeGreaterThan(5);
      await new Promise((r) => setTimeout(r, 900));
      expect((await alice[2]!.listTools()).tools.length).toBeGreaterThan(5);
      await expect(bob.listTools()).rejects.toThrow();
      for (const client of [bob, ...alice]) await client.close().catch(() => undefined);
    } finally {
      await handler.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
