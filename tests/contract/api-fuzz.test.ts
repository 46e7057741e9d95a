import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { createApiHandler } from '../../electron/core/server/api/api-handler';
import { startApiServer, type ApiServer } from '../../electron/core/server/api/api-server';
import { StaticKeyGate } from '../../electron/core/server/api/static-key-gate';
import { allowedHosts } from '../../electron/core/server/security';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Random and mutated requests against the running API server: valid bodies
 * of every endpoint with fields deleted, replaced by random JSON, retyped or
 * cut short; random paths, methods, keys, Origin and Host headers. Every
 * request gets a well-formed answer (an OpenAI error — Anthropic's on
 * /v1/messages — or a success, JSON or SSE), never a 500 or a dropped
 * connection, and the server still lists its models afterwards. Bodies that
 * stay valid go to the fake cloud's gpt-test with a few tokens, or to a
 * tiny BERT encoder for embeddings; no local chat model is in the library.
 */

const RUNS = 5200;
const KEY = 'sk-fuzz-key-0123456789';
const FAKE_KEY = 'sk-fake';

const temp = new TempDirs();
let fake: FakeOpenAIServer;
let core: Core;
let server: ApiServer;
let port = 0;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

beforeAll(async () => {
  const dataDir = await temp.make('tandem-api-fuzz-');
  const modelsDir = join(dataDir, 'encoders');
  await mkdir(modelsDir, { recursive: true });
  await writeTinyBertGguf(join(modelsDir, 'bert.gguf'));
  fake = await startFakeOpenAI({ apiKey: FAKE_KEY });
  core = await createCore({ dataDir, modelsDirs: [modelsDir], mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, providerRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 } });
  await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: fake.baseUrl, apiKey: FAKE_KEY });
  await core.settings.update({ maxTokens: 4 });
  let hosts = new Set<string>();
  const handler = createApiHandler({ core, gate: new StaticKeyGate(KEY), corsOrigins: () => ['https://allowed.example'], allowedHosts: () => hosts });
  server = await startApiServer({ handler, host: '127.0.0.1', port: 0 });
  port = server.port;
  hosts = allowedHosts('127.0.0.1', port);
});

afterAll(async () => {
  agent.destroy();
  await server?.close();
  await core?.dispose();
  await fake?.close();
  await temp.removeAll();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string>, body: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== null ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`timed out: ${method} ${path}`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

const BASES: Record<string, Record<string, unknown>> = {
  '/v1/chat/completions': {
    model: 'fake/gpt-test',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ],
    max_tokens: 3,
    temperature: 0,
    stream: false,
    stream_options: { include_usage: true },
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } } }],
    tool_choice: 'auto',
  },
  '/v1/completions': { model: 'fake/gpt-test', prompt: 'Say', max_tokens: 2, stream: true },
  '/v1/embeddings': { model: 'bert', input: ['the cat', 'a dog'], encoding_format: 'float' },
  '/v1/responses': { model: 'fake/gpt-test', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }], instructions: 'x', max_output_tokens: 3, stream: true },
  '/v1/messages': { model: 'fake/gpt-test', max_tokens: 3, system: 'x', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false },
  '/v1/messages/count_tokens': { model: 'fake/gpt-test', messages: [{ role: 'user', content: 'Hi' }], tools: [{ name: 't', input_schema: { type: 'object' } }] },
};
const ENDPOINTS = Object.keys(BASES);

const jsonValue = fc.jsonValue({ maxDepth: 3 });
/** A path into a JSON value: keys and indexes. */
type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function mutate(base: unknown, path: Path, kind: number, replacement: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  if (path.length === 0) return kind === 0 ? replacement : [copy];
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  switch (kind) {
    case 0:
      parent[last] = replacement;
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 2:
      parent[last] = typeof parent[last] === 'string' ? 12345 : String(parent[last]);
      break;
    case 3:
      parent[last] = [parent[last], parent[last]];
      break;
    case 4:
      parent[last] = typeof parent[last] === 'number' ? -1e308 : 'x'.repeat(5000);
      break;
    default:
      (parent as Record<string, unknown>)[`extra_${String(last)}`] = replacement;
  }
  return copy;
}

const mutatedBodyFor = (endpoints: string[]) =>
  fc
    .record({ endpoint: fc.constantFrom(...endpoints), pick: fc.nat(), kind: fc.integer({ min: 0, max: 6 }), replacement: jsonValue, times: fc.integer({ min: 0, max: 3 }) })
    .map(({ endpoint, pick, kind, replacement, times }) => {
      let body: unknown = BASES[endpoint];
      for (let i = 0; i < times; i++) {
        const all = paths(body);
        body = mutate(body, all[(pick + i * 7) % all.length]!, (kind + i) % 7, replacement);
      }
      return { endpoint, text: JSON.stringify(body) };
    });
const mutatedBody = mutatedBodyFor(ENDPOINTS);

const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  mutatedBody.chain(({ text }) => fc.nat({ max: text.length }).map((cut) => text.slice(0, cut))),
  fc.constantFrom('', 'null', '[]', '"x"', '1e999', '{"__proto__":{"polluted":1}}', '{"model":"fake/gpt-test","messages":[],"a":' + '['.repeat(5000)),
);

/** A request: mostly a (mutated) body sent to its own endpoint, sometimes anything anywhere. */
const request = fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
  fc.record({
    method: fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') }),
    path: fc.oneof(
      { weight: 10, arbitrary: fc.constant(endpoint) },
      { weight: 1, arbitrary: fc.constantFrom('/v1/models', '/v1/models/fake%2Fgpt-test', '/v1/models/%E0%A4%A', '/v1', '/v1/', '/mcp', '/v1/chat/completions?x=1', '/v1//messages', '/v1/../v1/models') },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => `/v1/${encodeURIComponent(s)}`) },
    ),
    auth: fc.oneof({ weight: 12, arbitrary: fc.constant('good') }, { weight: 1, arbitrary: fc.constantFrom('none', 'bad', 'x-api-key', 'weird') }),
    origin: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('https://allowed.example', 'https://evil.example', 'null', 'http://127.0.0.1') }),
    host: fc.oneof({ weight: 20, arbitrary: fc.constant('good') }, { weight: 1, arbitrary: fc.constantFrom('evil.example', 'localhost:1', '127.0.0.1') }),
    body: fc.oneof(
      { weight: 6, arbitrary: mutatedBodyFor([endpoint]).map((b) => b.text) },
      { weight: 1, arbitrary: mutatedBody.map((b) => b.text) },
      { weight: 1, arbitrary: rawBody },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    stream: fc.boolean(),
  }),
);

function headersFor(r: { auth: string; origin: string | null; host: string }): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (r.auth === 'good') headers.authorization = `Bearer ${KEY}`;
  else if (r.auth === 'bad') headers.authorization = 'Bearer nope';
  else if (r.auth === 'x-api-key') headers['x-api-key'] = KEY;
  else if (r.auth === 'weird') headers.authorization = `Basic ${KEY}`;
  if (r.origin) headers.origin = r.origin;
  headers.host = r.host === 'good' ? `127.0.0.1:${port}` : r.host;
  return headers;
}

const statuses = new Map<number, number>();

function checkAnswer(path: string, method: string, answer: Answer): void {
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  const where = `${method} ${path} → ${answer.status}: ${answer.body.slice(0, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(600);
  expect(answer.status, where).not.toBe(500);
  if (answer.status === 204) return;
  const type = String(answer.headers['content-type'] ?? '');
  if (type.startsWith('text/event-stream')) {
    expect(answer.status, where).toBe(200);
    const events = answer.body.split('\n\n').filter(Boolean);
    expect(events.length, where).toBeGreaterThan(0);
    for (const event of events) {
      const data = /(?:^|\n)data: (.*)$/.exec(event)?.[1];
      expect(data, where).toBeDefined();
      if (data !== '[DONE]') expect(() => JSON.parse(data!), where).not.toThrow();
    }
    return;
  }
  expect(type, where).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (answer.status >= 400) {
    if (new URL(path, 'http://x').pathname.startsWith('/v1/messages')) {
      expect(body, where).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
    } else {
      expect(body, where).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } });
      const error = body.error as Record<string, unknown>;
      expect('param' in error && 'code' in error, where).toBe(true);
    }
  }
}

describe('API fuzz', () => {
  test(`${RUNS} random and mutated requests: each answered well-formed, the server keeps serving`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        runs++;
        let body = r.body;
        if (body !== null && r.stream && body.startsWith('{"model"')) body = body.replace(/"stream":(true|false)/, '"stream":true');
        const answer = await send(r.method, r.path, headersFor(r), r.method === 'GET' ? null : body);
        checkAnswer(r.path, r.method, answer);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(runs).toBe(RUNS);
    // Many bodies were refused for what they are, and some were valid and answered.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 10);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 20);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(0);
    const models = await send('GET', '/v1/models', headersFor({ auth: 'good', origin: null, host: 'good' }), null);
    expect(models.status).toBe(200);
    expect((JSON.parse(models.body) as { data: { id: string }[] }).data.map((m) => m.id)).toContain('fake/gpt-test');
  }, 120_000);

  test('broken HTTP is refused without taking the server down', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(text));
        let out = '';
        socket.on('data', (d) => (out += d.toString()));
        socket.on('close', () => resolve(out));
        socket.on('error', () => resolve(out));
      });
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 99999999999999999999\r\n\r\n{}`)).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(await raw(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer ${KEY}\r\n\r\nzz\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d/);
    const models = await send('GET', '/v1/models', headersFor({ auth: 'good', origin: null, host: 'good' }), null);
    expect(models.status).toBe(200);
  });
});
