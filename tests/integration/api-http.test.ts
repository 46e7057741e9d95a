import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHandler } from '../../electron/core/server/api/api-handler';
import type { ApiCaller } from '../../electron/core/server/api/api-gate';
import { startApiServer } from '../../electron/core/server/api/api-server';
import { StaticKeyGate } from '../../electron/core/server/api/static-key-gate';
import { allowedHosts, createToken } from '../../electron/core/server/security';
import { startServeServer } from '../../electron/core/server/serve-server';
import { RecordingLogger } from '../support/test-logger';
import { FAKE_REPLY } from '../fixtures/fake-openai-server';
import { API_KEY, FAKE_KEY, startApiHarness, type ApiHarness } from './api-harness';

/**
 * The API's door and its failures over HTTP: Host and Origin checks, CORS,
 * /mcp behind the same keys, and how a model's failure is answered (budget
 * 402, provider rate limit 429 with Retry-After, context too long 400, an
 * error mid-stream), and closing the server with a stream open.
 */

const ALLOWED_ORIGIN = 'https://tool.example';
let h: ApiHarness;
let client: OpenAI;
let port: number;

beforeAll(async () => {
  h = await startApiHarness({ corsOrigins: [ALLOWED_ORIGIN], pricing: { 'fake/budget-test': { input: 1000, output: 1000 } } });
  client = new OpenAI({ baseURL: h.url, apiKey: API_KEY, maxRetries: 0 });
  port = Number(new URL(h.url).port);
  // A provider of its own for the faults, so its circuit never affects `fake`.
  await h.core.providers.add({ name: 'faulty', preset: 'custom', baseUrl: h.fake.baseUrl, apiKey: FAKE_KEY });
});

afterAll(async () => {
  await h?.close();
});

function send(method: string, path: string, headers: Record<string, string>, body?: string, to = port): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: to, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${API_KEY}` };

describe('Host, Origin and CORS', () => {
  test('another Host name is refused (DNS rebinding), before the key is even looked at', async () => {
    const refused = await send('GET', '/v1/models', { ...auth, host: `evil.example:${port}` });
    expect(refused.status).toBe(421);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'misdirected_request' } });
    expect((await send('GET', '/v1/models', { ...auth, host: `localhost:${port}` })).status).toBe(200);
  });

  test('a page on another origin is refused; an allow-listed one gets CORS headers and a preflight', async () => {
    const foreign = await send('GET', '/v1/models', { ...auth, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect((await send('OPTIONS', '/v1/chat/completions', { origin: 'https://evil.example', 'access-control-request-method': 'POST' })).status).toBe(403);

    const preflight = await send('OPTIONS', '/v1/chat/completions', { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');

    const listed = await send('GET', '/v1/models', { ...auth, origin: ALLOWED_ORIGIN });
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(String(listed.headers['access-control-expose-headers'])).toContain('x-tandem-route');
    // Without an Origin (curl, SDKs) nothing CORS is sent.
    expect((await send('GET', '/v1/models', auth)).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('/mcp', () => {
  test('without an MCP server it is 404; with one, only callers with a key reach it', async () => {
    expect((await send('POST', '/mcp', { ...auth, 'content-type': 'application/json' }, '{}')).status).toBe(404);
    const callers: ApiCaller[] = [];
    const bodies: unknown[] = [];
    let hosts = new Set<string>();
    const gate = new StaticKeyGate(API_KEY, 'mcp-key');
    const handler = createApiHandler({
      core: h.core,
      gate,
      mcp: {
        handle: async (_req: IncomingMessage, res: ServerResponse, caller: ApiCaller, parsedBody?: unknown) => {
          callers.push(caller);
          bodies.push(parsedBody);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
        },
        close: async () => undefined,
      },
      corsOrigins: () => [],
      allowedHosts: () => hosts,
    });
    const server = await startApiServer({ handler, host: '127.0.0.1', port: 0 });
    hosts = allowedHosts('127.0.0.1', server.port);
    try {
      expect((await send('POST', '/mcp', { 'content-type': 'application/json' }, '{}', server.port)).status).toBe(401);
      expect((await send('POST', '/mcp', { 'x-api-key': API_KEY, origin: 'https://evil.example' }, '{}', server.port)).status).toBe(403);
      expect(callers).toHaveLength(0);
      const ok = await send('POST', '/mcp', { 'x-api-key': API_KEY, 'content-type': 'application/json' }, '{"jsonrpc":"2.0","id":1,"method":"ping"}', server.port);
      expect(ok.status).toBe(200);
      expect(callers).toEqual([{ keyId: 'static', keyName: 'mcp-key' }]);
      expect(bodies).toEqual([undefined]);
      await new Promise((r) => setTimeout(r, 50));
      // Refusals at the door are in the request log; calls past it are the MCP server's to record.
      expect(gate.recent().map((e) => `${e.endpoint} ${e.status}`)).toEqual(['POST /mcp 401', 'POST /mcp 403']);
    } finally {
      await server.close();
    }
  });
});

describe('model failures', () => {
  test('a budget cap refuses a paid model: 402 budget_exceeded (not retried)', async () => {
    const routing = h.core.settings.get().routing;
    await h.core.settings.update({ routing: { ...routing, budget: { ...routing.budget, dailyUsd: 0.000001 } } });
    try {
      const error = await client.chat.completions.create({ model: 'fake/budget-test', messages: [{ role: 'user', content: 'Spend' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ status: 402, code: 'budget_exceeded', type: 'insufficient_quota' });
      expect((error as Error).message).toMatch(/budget/i);
      expect(h.fake.count('budget-test')).toBe(0);
    } finally {
      await h.core.settings.update({ routing });
    }
  });

  test('a provider that rate limits is 429 with Retry-After', async () => {
    const { status, headers, body } = await send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json' }, JSON.stringify({ model: 'faulty/fault-429-wait', messages: [{ role: 'user', content: 'x' }] }));
    expect(status).toBe(429);
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'rate_limit_error' } });
  });

  test('a prompt too long for the model is 400 context_length_exceeded', async () => {
    const error = await client.chat.completions.create({ model: 'faulty/fault-context', messages: [{ role: 'user', content: 'long' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });

  test('a failure after the answer started ends the stream with an error event in OpenAI\'s shape', async () => {
    const response = await fetch(`${h.url}/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'faulty/fault-reset-mid', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    expect(response.status).toBe(200);
    const events = (await response.text()).split('\n\n').filter(Boolean);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, '')) as { error: { message: string; type: string; code: string } };
    expect(last.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    expect(events.some((e) => e.includes(FAKE_REPLY[0]!))).toBe(true);
    expect(events.at(-1)).not.toBe('data: [DONE]');

    const stream = await client.chat.completions.create({ model: 'faulty/fault-reset-mid', messages: [{ role: 'user', content: 'y' }], stream: true });
    let text = '';
    const thrown = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    expect(text).toBe(FAKE_REPLY.slice(0, 2).join(''));
  });
});

describe('serve mode', () => {
  test('the API mounted on the UI\'s port answers /v1 with any method; other paths stay the UI\'s', async () => {
    let hosts = new Set<string>();
    const handler = createApiHandler({ core: h.core, gate: new StaticKeyGate(API_KEY), corsOrigins: () => [], allowedHosts: () => hosts });
    const serve = await startServeServer({ rpc: h.core.rpc, logger: new RecordingLogger(), token: createToken(), host: '127.0.0.1', port: 0, staticDir: null, api: handler });
    hosts = allowedHosts('127.0.0.1', serve.port);
    try {
      const sdk = new OpenAI({ baseURL: `http://127.0.0.1:${serve.port}/v1`, apiKey: API_KEY, maxRetries: 0 });
      const completion = await sdk.chat.completions.create({ model: 'fake/gpt-test', messages: [{ role: 'user', content: 'Mounted?' }] });
      expect(completion.choices[0]!.message.content).toBe(FAKE_REPLY.join(''));
      expect((await send('GET', '/v1/models', {}, undefined, serve.port)).status).toBe(401);
      expect((await send('POST', '/index.html', {}, undefined, serve.port)).status).toBe(405);
      expect((await send('GET', '/v1/models', { ...auth, host: `evil.example:${serve.port}` }, undefined, serve.port)).status).toBe(421);
    } finally {
      await handler.close();
      await serve.close();
    }
  });
});

describe('closing', () => {
  test('closing the server cancels an open stream at once', async () => {
    const other = await h.serve(new StaticKeyGate(API_KEY));
    const sdk = new OpenAI({ baseURL: other.url, apiKey: API_KEY, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({ model: 'fake/slow-test', messages: [{ role: 'user', content: 'slowly' }], stream: true });
    const reading = (async () => {
      let chunks = 0;
      for await (const _chunk of stream) chunks++;
      return chunks;
    })().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await other.close();
    await reading;
    expect(performance.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.closedEarly).toContain('slow-test');
  });
});
