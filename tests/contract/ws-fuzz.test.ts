import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import WebSocket, { type RawData } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { startServeServer, type ServeServer } from '../../electron/core/server/serve-server';
import { createToken } from '../../electron/core/server/security';
import { contract, events, isRouteName, routeNames } from '../../shared/ipc/contract';
import type { ChatMessage } from '../../shared/ipc/domain';
import { TandemErrorSchema, type ErrorCode } from '../../shared/ipc/errors';
import type { ResponseMessage, ServerMessage } from '../../shared/ipc/wire';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { TandemWsClient, wsUrl } from '../support/ws-client';

/**
 * Random and hostile payloads to every route over the real WebSocket: each
 * message gets exactly one answer, which is a validation-type refusal or data
 * that matches the route's output schema; the server stays up throughout.
 * The models folder is empty, so a well-formed chat.send fails fast with
 * MODEL_NOT_FOUND instead of starting thousands of generations.
 */

const SEQUENTIAL_RUNS = 1600;
const PIPELINED_RUNS = 25;
const PIPELINE_WIDTH = 40;

/** The refusals a bad request may get; INTERNAL or STORAGE_FAILED would mean a bug. */
const EXPECTED_REFUSALS = new Set<ErrorCode>([
  'INVALID_INPUT',
  'BAD_MESSAGE',
  'UNKNOWN_ROUTE',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'MODEL_LOAD_FAILED',
  // providers: adding a name twice, and testing a provider on a closed loopback port
  'CONFLICT',
  'NETWORK',
  // documents: opening a file in the system viewer from serve mode
  'UNSUPPORTED',
  // MCP: a server whose command does not exist or whose port is closed
  'MCP_UNAVAILABLE',
  // issue 15: a program on the socket (no Origin) may not point a key from the environment at a URL of its choosing
  'FORBIDDEN',
  // issue 15: more requests or streams open at once than one connection may hold
  'TOO_MANY_OPEN',
]);

const temp = new TempDirs();
const logger = new RecordingLogger();
const token = createToken();
let core: Core;
let server: ServeServer;
let emptyModelsDir: string;
/** A chat with content that the fuzz may read, rename and try to answer in, but never delete. */
let keeperId: string;
let keeperMessages: ChatMessage[];

beforeAll(async () => {
  const root = await temp.make('tandem-fuzz-');
  emptyModelsDir = join(root, 'no-models');
  await mkdir(emptyModelsDir);
  core = await createCore({ dataDir: join(root, 'data'), modelsDirs: [emptyModelsDir], mode: 'serve', version: '0.0.0-test', logger, gpu: false });
  server = await startServeServer({ rpc: core.rpc, logger, token, host: '127.0.0.1', port: 0, staticDir: null });
  const keeper = await core.chats.create({ title: 'Keep me' });
  keeperId = keeper.id;
  const now = new Date().toISOString();
  const base = { createdAt: now, finishReason: null, usage: null, error: null } as const;
  await core.chats.appendMessages(keeperId, [
    { ...base, id: 'u1', role: 'user', text: 'What is a GGUF file?', status: 'complete', modelId: null },
    { ...base, id: 'a1', role: 'assistant', text: 'A model file format.', status: 'complete', modelId: 'gone', finishReason: 'stop' },
  ]);
  keeperMessages = (await core.chats.get(keeperId)).messages;
});

afterAll(async () => {
  await server?.close();
  await core?.dispose();
  await temp.removeAll();
});

// ---------- what a fuzzed frame looks like ----------

type Frame = { kind: 'text'; data: string; id: number | null } | { kind: 'binary'; data: Uint8Array };

const deepArray = (depth: number): unknown => {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};
const deepObject = (depth: number): unknown => {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { chatId: value };
  return value;
};

/** Values that have broken real parsers: deep, huge, odd numbers, odd strings, prototype keys. */
const oddValue = fc.constantFrom<unknown>(
  deepArray(3000),
  deepObject(1000),
  'x'.repeat(1_000_000),
  Array.from({ length: 50_000 }, (_, i) => i),
  Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
  JSON.parse('{"__proto__": {"polluted": true}, "chatId": "x"}'),
  { constructor: { prototype: { polluted: true } } },
  { toString: 'nope', valueOf: 1, hasOwnProperty: null },
  -0,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 2,
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066',
  '💥'.repeat(10_000),
  '',
  ' ',
  [],
  {},
  null,
  true,
);

const idLike = fc.oneof(
  fc.constantFrom('abc', 'a-b_c', 'x'.repeat(128), 'x'.repeat(129), '', ' ', '../etc', 'a/b', 'ü', '0'),
  fc.string({ maxLength: 20 }),
  fc.uuid(),
);

/** Mostly-valid values for the contract's fields, so many requests get past validation into the handlers. */
const field = {
  chatId: () => fc.oneof({ weight: 3, arbitrary: fc.constant(null).map(() => keeperId) }, { weight: 2, arbitrary: idLike }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
  title: () => fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 220 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
  text: () => fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 50 }) }, { weight: 1, arbitrary: fc.constantFrom('   ', 'x'.repeat(200_001), 7) }),
  modelId: () =>
    fc.oneof(
      fc.constantFrom('stories260K', 'missing.gguf', '\u0000.gguf', '../../../etc/passwd.gguf', '/nonexistent/x.gguf', 'x'.repeat(1025), ''),
      fc.string({ maxLength: 30 }),
    ),
  query: () => fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 210 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
};

const settingsPatch = fc.record(
  {
    theme: fc.constantFrom('system', 'light', 'dark', 'purple', null),
    maxTokens: fc.oneof(fc.integer({ min: -5, max: 2_000_000 }), fc.double(), fc.string({ maxLength: 5 })),
    threads: fc.oneof(
      fc.record({
        generation: fc.oneof(fc.constant('auto'), fc.integer({ min: -1, max: 300 })),
        batch: fc.oneof(fc.constant('auto'), fc.integer({ min: -1, max: 300 })),
      }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    contextSize: fc.oneof(fc.constant('auto'), fc.integer({ min: 0, max: 2_000_000 })),
    defaultModelId: fc.oneof(fc.constant(null), fc.string({ maxLength: 20 })),
    modelsDirs: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);

/**
 * Provider routes: base URLs stay on a closed loopback port and presets on
 * local ones, so providers.test fails fast (NETWORK) instead of reaching out.
 */
function providerInputs(): Record<string, fc.Arbitrary<unknown>> {
  const name = fc.oneof(fc.constantFrom('fz', 'fz-2', 'BAD NAME', '', 'x'.repeat(65)), fc.string({ maxLength: 10 }));
  const baseUrl = fc.constantFrom('http://127.0.0.1:9/v1', 'ftp://x', 'not a url', '');
  const preset = fc.constantFrom('custom', 'ollama', 'lmstudio', 'nope', 3);
  const key = fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null));
  return {
    'providers.presets': fc.constant({}),
    'providers.list': fc.constant({}),
    'providers.add': fc.record({ name, preset, baseUrl, apiKeyEnv: fc.constantFrom('FZ_KEY', '1BAD'), apiKey: fc.string({ maxLength: 40 }) }, { requiredKeys: ['name'] }),
    'providers.update': fc.record({ name, baseUrl, headers: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }) }, { requiredKeys: ['name'] }),
    'providers.remove': fc.record({ name }),
    'providers.setKey': fc.record({ name, apiKey: key }),
    'providers.test': fc.record({ name }),
    'providers.models': fc.record({ name, freeOnly: fc.boolean() }, { requiredKeys: ['name'] }),
    'providers.health': fc.constant({}),
  };
}

/** The local-models routes; load options stay small so a fuzzed load cannot claim gigabytes. */
function modelRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const options = fc.record(
    {
      contextSize: fc.constantFrom('auto', 64, 128, 0, -1, 'huge'),
      gpuLayers: fc.constantFrom('auto', 'max', 0, -3),
      threads: fc.constantFrom('auto', 1, 0, 1000),
      batchSize: fc.constantFrom('auto', 32, 0),
    },
    { requiredKeys: [] },
  );
  const ref = fc.record({ modelId: field.modelId() });
  const folderPath = fc.oneof(fc.constantFrom('', '   ', 'no/such/folder', '/no-such-tandem-folder', '/no-such-tandem-file.gguf'), fc.jsonValue({ maxDepth: 0 }));
  return {
    'models.inspect': fc.record({ modelId: field.modelId(), options }, { requiredKeys: ['modelId'] }),
    'hardware.info': fc.constant({}),
    'models.loaded': fc.constant({}),
    'models.load': fc.record({ modelId: field.modelId(), options }, { requiredKeys: ['modelId'] }),
    'models.unload': ref,
    'models.cancelLoad': ref,
    'models.folders': fc.constant({}),
    // never an existing folder: adding '/' would make every later list walk the whole disk
    'models.addFolder': fc.record({ path: folderPath }),
    'models.removeFolder': fc.record({ path: folderPath }),
    'models.import': fc.record({ path: folderPath }),
    'chats.updateSettings': fc.record({
      chatId: field.chatId(),
      settings: fc.record(
        {
          temperature: fc.oneof(fc.double({ min: -1, max: 6, noNaN: true }), fc.string({ maxLength: 3 })),
          seed: fc.integer({ min: -1, max: 2 ** 33 }),
          maxTokens: fc.integer({ min: 0, max: 64 }),
          stopStrings: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
          systemPrompt: fc.string({ maxLength: 50 }),
          contextPolicy: fc.oneof(fc.constant({ strategy: 'drop-oldest' }), fc.jsonValue({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    }),
  };
}

/**
 * Download routes: sources stay on a closed loopback port (or are invalid),
 * catalog ids and model ids never name real ones, so nothing reaches out or is deleted.
 */
function downloadRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const downloadId = fc.oneof(fc.constantFrom('nope-12345678', 'BAD ID', ''), fc.jsonValue({ maxDepth: 0 }));
  return {
    'models.catalog': fc.constant({}),
    'downloads.list': fc.constant({}),
    'downloads.start': fc.oneof(
      fc.record({ uri: fc.constantFrom('http://127.0.0.1:9/fz.gguf', 'not a uri', 'ftp://x', 'hf:', '') }),
      fc.record({ catalogId: fc.constantFrom('no-such-model', 'BAD ID', '', 'x'.repeat(200)) }),
    ),
    'downloads.pause': fc.record({ downloadId }),
    'downloads.resume': fc.record({ downloadId }),
    'downloads.cancel': fc.record({ downloadId }),
    'models.remove': fc.record({ modelId: fc.constantFrom('no-such-model-fz', '', '../../etc/passwd', 'x'.repeat(5000)) }),
  };
}

/**
 * Documents routes: paths never name a real folder (indexing `/` would walk
 * the whole disk), so collections.add can only report missing sources.
 */
function documentRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const collectionId = fc.oneof(fc.constantFrom('no-such-collection', 'BAD ID', ''), fc.jsonValue({ maxDepth: 0 }));
  const path = fc.oneof(fc.constantFrom('', '/no-such-tandem-folder', 'relative/none', '../../etc'), fc.jsonValue({ maxDepth: 0 }));
  const ref = fc.record({ collectionId });
  return {
    'collections.list': fc.constant({}),
    'collections.add': fc.record({ name: field.title(), paths: fc.array(path, { maxLength: 3 }), localOnly: fc.boolean() }, { requiredKeys: ['name', 'paths'] }),
    'collections.remove': ref,
    'collections.reindex': ref,
    'collections.cancelIndex': ref,
    'collections.setReranker': fc.record({ collectionId, modelId: fc.oneof(fc.constant(null), fc.constantFrom('no-such-model', '', '../../etc/passwd'), fc.jsonValue({ maxDepth: 0 })) }),
    'collections.job': ref,
    'collections.inventory': ref,
    'collections.export': fc.record({ collectionId, format: fc.constantFrom('json', 'markdown', 'pdf') }),
    'documents.search': fc.record(
      {
        collectionIds: fc.array(collectionId, { maxLength: 3 }),
        query: field.query(),
        k: fc.integer({ min: -1, max: 200 }),
        mode: fc.constantFrom('keyword', 'semantic', 'hybrid', 'magic'),
      },
      { requiredKeys: ['collectionIds', 'query'] },
    ),
    'documents.view': fc.record({ collectionId, path }),
    'documents.openExternal': fc.record({ collectionId, path, page: fc.integer({ min: -1, max: 5 }) }, { requiredKeys: ['collectionId', 'path'] }),
    'documents.pickFolder': fc.constant({}),
  };
}

/**
 * MCP routes: commands never name a real program and URLs point at a closed
 * loopback port, so the fuzz cannot start anything or reach out.
 */
function mcpRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const name = fc.oneof(fc.constantFrom('fz-server', 'BAD NAME', '', 'x'.repeat(80)), fc.jsonValue({ maxDepth: 0 }));
  const command = fc.constantFrom('tandem-no-such-command-fz', '', '/no/such/bin');
  const stdio = fc.record(
    { transport: fc.constant('stdio'), name, command, args: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), env: fc.dictionary(fc.constantFrom('A', 'B_1', 'bad key'), fc.string({ maxLength: 8 })), timeoutMs: fc.integer({ min: 0, max: 5000 }) },
    { requiredKeys: ['transport', 'name', 'command'] },
  );
  const http = fc.record({ transport: fc.constant('http'), name, url: fc.constantFrom('http://127.0.0.1:9/mcp', 'not a url', 'file:///etc/passwd') }, { requiredKeys: ['transport', 'name', 'url'] });
  const config = fc.oneof(stdio, http);
  const tool = fc.oneof(fc.constantFrom('echo', '', 'x'.repeat(300)), fc.jsonValue({ maxDepth: 0 }));
  return {
    'mcp.list': fc.constant({}),
    'mcp.add': config,
    'mcp.update': config,
    'mcp.remove': fc.record({ name }),
    'mcp.setEnabled': fc.record({ name, enabled: fc.boolean() }),
    'mcp.restart': fc.record({ name }),
    'mcp.confirmStart': fc.record({ name }),
    'mcp.login': fc.record({ name }),
    'mcp.logout': fc.record({ name }),
    'mcp.setToolPolicy': fc.record({ name, tool, enabled: fc.boolean(), approval: fc.constantFrom('ask', 'always-allow', 'never') }, { requiredKeys: ['name', 'tool'] }),
    'mcp.logs': fc.record({ name }),
    'mcp.callTool': fc.record({ name, tool, args: fc.jsonValue({ maxDepth: 2 }) }),
    'mcp.readResource': fc.record({ name, uri: fc.constantFrom('test://static/resource/1', '', 'file:///etc/passwd') }),
    'mcp.getPrompt': fc.record({ name, prompt: tool, args: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })) }, { requiredKeys: ['name', 'prompt'] }),
    'mcp.import': fc.record({
      content: fc.oneof(
        fc.string({ maxLength: 50 }),
        fc.constant(JSON.stringify({ mcpServers: { 'fz-imported': { command: 'tandem-no-such-command-fz', args: ['x'] } } })),
        fc.constant(JSON.stringify({ mcpServers: { 'fz-http': { url: 'http://127.0.0.1:9/mcp' } } })),
      ),
    }),
    'mcp.export': fc.constant({}),
    'chat.approveTool': fc.record({ approvalId: fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 })), decision: fc.constantFrom('allow-once', 'always-allow', 'deny', 'yes') }),
    'mcp.answerSampling': fc.record({ requestId: fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 })), decision: fc.constantFrom('approve', 'deny', 'maybe') }),
    'mcp.pendingSampling': fc.constant({}),
    'mcp.answerElicitation': fc.record(
      { requestId: fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 })), action: fc.constantFrom('accept', 'decline', 'cancel', 'maybe'), content: fc.jsonValue({ maxDepth: 1 }) },
      { requiredKeys: ['requestId', 'action'] },
    ),
    'mcp.pendingElicitations': fc.constant({}),
  };
}

function routingRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const priority = fc.constantFrom('balanced', 'speed', 'cost', 'quality', 'privacy', 'cheap', 1);
  const date = fc.constantFrom('2026-01-01', '2026-13-45', 'yesterday', '');
  return {
    'route.decide': fc.record({ text: field.text(), chatId: field.chatId(), priority, collectionIds: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) }, { requiredKeys: ['text'] }),
    'route.estimate': fc.record({ text: field.text(), chatId: field.chatId(), modelId: fc.oneof(fc.constant('auto'), field.modelId()) }, { requiredKeys: ['text', 'modelId'] }),
    'route.vote': fc.record({ chatId: field.chatId(), messageId: fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 })), vote: fc.constantFrom('good', 'bad', null, 'meh') }),
    'route.learn': fc.record({
      jsonl: fc.oneof(fc.string({ maxLength: 80 }), fc.constant('{"prompt":"p","outcomes":{"m":{"score":1}}}\n{bad'), fc.constant('{"prompt":"p","outcomes":{"m":{"score":7}}}')),
    }),
    'usage.summary': fc.record({ since: date, until: date }, { requiredKeys: [] }),
    'cache.clear': fc.constant({}),
    'cache.stats': fc.constant({}),
  };
}

function compareRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const column = fc.oneof(fc.integer({ min: -1, max: 5 }), fc.jsonValue({ maxDepth: 0 }));
  const groupId = fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 }));
  const modelIds = fc.oneof(fc.array(field.modelId(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }));
  return {
    'compare.send': fc.record({ chatId: field.chatId(), text: field.text(), modelIds, blind: fc.oneof(fc.boolean(), fc.constant('yes')) }, { requiredKeys: ['chatId', 'text', 'modelIds'] }),
    'compare.stopColumn': fc.record({ chatId: field.chatId(), groupId, column }),
    'compare.vote': fc.record({ chatId: field.chatId(), groupId, verdict: fc.oneof(column, fc.constantFrom('tie', 'all-bad', 'none')) }),
    'compare.choose': fc.record({ chatId: field.chatId(), groupId, column }),
    'compare.leaderboard': fc.record({ tag: fc.constantFrom('code', 'math', 'writing', 'summarising', 'documents', 'other', 'poetry', 3) }, { requiredKeys: [] }),
  };
}

function labRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const setId = fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 }));
  const run = {
    setId,
    modelIds: fc.oneof(fc.array(field.modelId(), { maxLength: 9 }), fc.jsonValue({ maxDepth: 1 })),
    runs: fc.oneof(fc.integer({ min: -1, max: 25 }), fc.jsonValue({ maxDepth: 0 })),
  };
  const jsonl = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constant('{"prompt":"2+2?","reference":"4","grader":"exact"}\n{bad'),
    fc.constant('{"prompt":"p","grader":{"type":"regex","pattern":"("}}'),
  );
  return {
    'lab.sets.list': fc.constant({}),
    'lab.sets.get': fc.record({ setId }),
    'lab.sets.import': fc.record({ name: field.title(), jsonl }),
    'lab.sets.export': fc.record({ setId }),
    'lab.sets.delete': fc.record({ setId }),
    'lab.estimate': fc.record(run, { requiredKeys: ['setId', 'modelIds'] }),
    'lab.run': fc.record({ ...run, parallel: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.jsonValue({ maxDepth: 0 })) }, { requiredKeys: ['setId', 'modelIds'] }),
    'lab.runs.list': fc.constant({}),
    'lab.runs.get': fc.record({ runId: setId }),
    'lab.runs.export': fc.record({ runId: setId, format: fc.constantFrom('csv', 'json', 'xml') }),
  };
}

function apiRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const id = fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 }));
  const limit = fc.oneof(fc.integer({ min: -1, max: 2_000_000 }), fc.constant(null), fc.double(), fc.constant('10'));
  const limits = { requestsPerMinute: limit, dailyTokens: limit, dailyCostUsd: limit };
  return {
    'api.status': fc.constant({}),
    'api.requests': fc.record({ limit }, { requiredKeys: [] }),
    'apiKeys.list': fc.constant({}),
    'apiKeys.add': fc.record({ name: field.title(), ...limits }, { requiredKeys: ['name'] }),
    'apiKeys.rotate': fc.record({ id }),
    'apiKeys.update': fc.record({ id, ...limits }, { requiredKeys: ['id'] }),
    'apiKeys.revoke': fc.record({ id }),
  };
}

function soupRouteInputs(): Record<string, fc.Arbitrary<unknown>> {
  const gameId = fc.oneof(idLike, fc.jsonValue({ maxDepth: 0 }));
  const index = fc.oneof(fc.integer({ min: -1, max: 8 }), fc.jsonValue({ maxDepth: 0 }));
  return {
    'soup.puzzles.list': fc.constant({}),
    'soup.puzzles.add': fc.record({ puzzle: fc.jsonValue({ maxDepth: 2 }) }),
    'soup.puzzles.import': fc.record({ json: fc.oneof(fc.string({ maxLength: 80 }), fc.constant('[{"id":"x"}]'), fc.constant('{')) }),
    'soup.games.list': fc.constant({}),
    'soup.games.start': fc.record({ puzzleId: fc.oneof(idLike, fc.constant('no-such-puzzle')), modelId: field.modelId(), questionBudget: index }, { requiredKeys: ['modelId'] }),
    'soup.games.get': fc.record({ gameId }),
    'soup.ask': fc.record({ gameId, question: field.text() }),
    'soup.hint': fc.record({ gameId }),
    'soup.guess': fc.record({ gameId, text: field.text() }),
    'soup.dispute': fc.record({ gameId, guess: index, index }),
    'soup.giveUp': fc.record({ gameId }),
    'soup.reveal': fc.record({ gameId }),
  };
}

/** For each route, inputs shaped like its schema (right keys, mostly right values). */
const inputFor: Record<string, fc.Arbitrary<unknown>> = {
  'app.info': fc.constant({}),
  'app.notices': fc.constant({}),
  'app.dismissNotice': fc.record({ id: fc.string({ maxLength: 40 }) }),
  'settings.get': fc.constant({}),
  'settings.update': settingsPatch,
  'models.list': fc.record({ refresh: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 })) }, { requiredKeys: [] }),
  'chats.list': fc.record({ query: field.query() }, { requiredKeys: [] }),
  'chats.create': fc.record({ title: field.title(), modelId: field.modelId() }, { requiredKeys: [] }),
  'chats.get': fc.record({ chatId: field.chatId() }),
  'chats.rename': fc.record({ chatId: field.chatId(), title: field.title() }),
  'chats.delete': fc.record({ chatId: field.chatId() }),
  'chats.export': fc.record({ chatId: field.chatId(), format: fc.constantFrom('markdown', 'json', 'pdf', 1) }),
  'chat.send': fc.record({ chatId: field.chatId(), text: field.text(), modelId: field.modelId() }),
  'stream.cancel': fc.record({ streamId: fc.oneof(idLike, fc.jsonValue({ maxDepth: 1 })) }),
  ...providerInputs(),
  ...modelRouteInputs(),
  ...downloadRouteInputs(),
  ...documentRouteInputs(),
  ...mcpRouteInputs(),
  ...routingRouteInputs(),
  ...compareRouteInputs(),
  ...labRouteInputs(),
  ...apiRouteInputs(),
  ...soupRouteInputs(),
  // runtime.build never compiles here: TANDEM_RUNTIME_BUILD=off (vitest.config.ts)
  'runtime.info': fc.constant({}),
  'runtime.build': fc.constant({}),
  'runtime.cancelBuild': fc.constant({}),
  'runtime.use': fc.record({ variant: fc.constantFrom('auto', 'prebuilt', 'local', 'fastest', 3) }),
};
for (const route of routeNames) if (!inputFor[route]) throw new Error(`no fuzz input for ${route}`);

const routeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...routeNames) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('chats.explode', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'chats.list ', 'CHATS.LIST', 'chats.', '.list', 'stream.cancel\u0000', 'x'.repeat(100)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 120 }) },
);

const inputArb = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }) },
  { weight: 2, arbitrary: oddValue },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Keeps the fuzz from deleting the chat the test relies on or scanning the whole disk for models. */
function tame(route: unknown, input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const record = { ...(input as Record<string, unknown>) };
  if (route === 'chats.delete' && record.chatId === keeperId) record.chatId = 'not-the-keeper';
  if (Array.isArray(record.modelsDirs)) {
    record.modelsDirs = record.modelsDirs.map((dir, i) => (typeof dir === 'string' && dir.length <= 4096 ? join(emptyModelsDir, `sub${i}`) : dir));
  }
  return record;
}

let nextId = 1;
const routeWithInput = fc.oneof(
  { weight: 1, arbitrary: fc.tuple(routeArb, inputArb) },
  { weight: 1, arbitrary: fc.constantFrom(...routeNames).chain((route) => fc.tuple(fc.constant<string>(route), inputFor[route]!)) },
);
const validEnvelope = routeWithInput.map(([route, input]): Frame => {
  const id = nextId++;
  return { kind: 'text', data: JSON.stringify({ type: 'request', id, route, input: tame(route, input) }), id };
});

const brokenEnvelope = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom('request', 'response', 'event', 'stream', 'REQUEST'), fc.jsonValue({ maxDepth: 1 })),
      id: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(1.5, -1, 2 ** 60, '7', null, [], {})),
      route: fc.oneof(fc.constantFrom(...routeNames), fc.jsonValue({ maxDepth: 1 }), fc.constant('r'.repeat(101))),
      input: inputArb,
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  .filter((envelope) => {
    // keep only envelopes that really are broken
    const e = envelope as Record<string, unknown>;
    return !(e.type === 'request' && Number.isSafeInteger(e.id) && (e.id as number) >= 0 && typeof e.route === 'string' && (e.route as string).length <= 100);
  })
  .map((envelope): Frame => ({ kind: 'text', data: JSON.stringify(envelope), id: null }));

const notAnEnvelope = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value): Frame => ({ kind: 'text', data: JSON.stringify(value), id: null })),
  fc.string({ maxLength: 200 }).map((text): Frame => ({ kind: 'text', data: text, id: null })),
  fc.constantFrom('', '{', '{"type":"request"', 'null', '[]', '{"type":"request","id":1,"route":"app.info","input":{}}}', '\u0000').map(
    (text): Frame => ({ kind: 'text', data: text, id: null }),
  ),
  fc.uint8Array({ maxLength: 256 }).map((data): Frame => ({ kind: 'binary', data })),
);

/** Everything but the odd frames: a valid envelope is the most common case so handlers get fuzzed too. */
const anyFrame = fc.oneof({ weight: 6, arbitrary: validEnvelope }, { weight: 2, arbitrary: brokenEnvelope }, { weight: 2, arbitrary: notAnEnvelope });

// ---------- checking an answer ----------

/** Parses a frame back as the server would, to know which route (if any) it reached. */
function routeOf(frame: Frame): string | null {
  if (frame.kind !== 'text' || frame.id === null) return null;
  return (JSON.parse(frame.data) as { route: string }).route;
}

/** How often each outcome came up, so a fuzz that stopped reaching the handlers fails. */
const outcomes = new Map<string, number>();

function checkResponse(frame: Frame, response: ResponseMessage): void {
  const outcome = response.result.ok ? `ok ${routeOf(frame)}` : response.result.error.code;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const context = `frame ${frame.kind === 'text' ? frame.data.slice(0, 300) : `binary(${frame.data.length})`}\nanswer ${JSON.stringify(response).slice(0, 500)}`;
  if (frame.kind === 'text' && frame.id !== null) expect(response.id, context).toBe(frame.id);
  if (!response.result.ok) {
    const error = TandemErrorSchema.safeParse(response.result.error);
    expect(error.success, context).toBe(true);
    expect(EXPECTED_REFUSALS.has(response.result.error.code), context).toBe(true);
    if (frame.kind === 'binary' || frame.id === null) expect(response.result.error.code, context).toBe('BAD_MESSAGE');
    return;
  }
  const route = routeOf(frame);
  expect(route !== null && isRouteName(route), context).toBe(true);
  if (route === null || !isRouteName(route)) return;
  const def = contract[route];
  if (def.kind === 'stream') {
    const start = response.result.data as { streamId?: unknown; info?: unknown };
    expect(typeof start.streamId, context).toBe('string');
    expect(def.output.safeParse(start.info).success, context).toBe(true);
  } else {
    const parsed = def.output.safeParse(response.result.data);
    expect(parsed.success, `${context}\n${parsed.error?.message}`).toBe(true);
  }
}

/** A raw socket that sends one frame at a time and hands back the answers. */
class FuzzSocket {
  readonly received: ServerMessage[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData) => {
      this.received.push(JSON.parse(data.toString()) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl(server.port, token));
      socket.once('open', () => resolve(new FuzzSocket(socket)));
      socket.once('error', reject);
    });
  }

  responses(): ResponseMessage[] {
    return this.received.filter((m): m is ResponseMessage => m.type === 'response');
  }

  send(frame: Frame): void {
    if (frame.kind === 'binary') this.socket.send(frame.data, { binary: true });
    else this.socket.send(frame.data);
  }

  async waitForResponses(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses().length < count) {
      if (this.closed) throw new Error(`the server closed the socket after ${this.responses().length} of ${count} answers`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.responses().length} of ${count} answers arrived in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Non-response messages must still be well-formed: events match their schema, and no stream starts. */
function checkPushes(messages: readonly ServerMessage[]): void {
  for (const message of messages) {
    if (message.type === 'event') {
      expect(Object.keys(events)).toContain(message.event);
      expect(events[message.event].safeParse(message.payload).success).toBe(true);
    }
    expect(message.type, 'no stream may start without a model').not.toBe('stream');
  }
}

describe('fuzzing the WebSocket transport', () => {
  test(`${SEQUENTIAL_RUNS} random frames one by one: one well-formed answer each`, async () => {
    const socket = await FuzzSocket.open();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(anyFrame, async (frame) => {
        socket.send(frame);
        sent++;
        await socket.waitForResponses(sent);
        checkResponse(frame, socket.responses()[sent - 1]!);
      }),
      { numRuns: SEQUENTIAL_RUNS, endOnFailure: true },
    );
    // a last request proves nothing extra was still on its way: exactly one answer per frame
    socket.send({ kind: 'text', data: JSON.stringify({ type: 'request', id: 999_999_999, route: 'app.info', input: {} }), id: 999_999_999 });
    await socket.waitForResponses(sent + 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socket.responses()).toHaveLength(sent + 1);
    expect(socket.responses().at(-1)).toMatchObject({ id: 999_999_999, result: { ok: true, data: { name: 'Tandem' } } });
    checkPushes(socket.received);
    expect(socket.closed).toBe(false);
    socket.close();
  });

  test(`${PIPELINED_RUNS} bursts of ${PIPELINE_WIDTH} requests sent at once: every id answered exactly once`, async () => {
    const socket = await FuzzSocket.open();
    let expected = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(validEnvelope, { minLength: PIPELINE_WIDTH, maxLength: PIPELINE_WIDTH }), async (frames) => {
        const start = socket.responses().length;
        for (const frame of frames) socket.send(frame);
        expected += frames.length;
        await socket.waitForResponses(expected);
        const answers = socket.responses().slice(start);
        expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual(frames.map((f) => (f.kind === 'text' ? f.id : -2)).sort((a, b) => (a ?? 0) - (b ?? 0)));
        for (const frame of frames) {
          const answer = answers.find((a) => frame.kind === 'text' && a.id === frame.id);
          checkResponse(frame, answer!);
        }
      }),
      { numRuns: PIPELINED_RUNS, endOnFailure: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socket.responses()).toHaveLength(expected);
    checkPushes(socket.received);
    socket.close();
  });

  test('a frame over the size limit closes only that connection (1009); the server keeps serving', async () => {
    const socket = await FuzzSocket.open();
    const closed = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));
    socket.send({ kind: 'text', data: JSON.stringify({ type: 'request', id: 1, route: 'chats.list', input: { query: 'x'.repeat(5 * 1024 * 1024) } }), id: 1 });
    expect(await closed).toBe(1009);
    const fresh = await TandemWsClient.connect(wsUrl(server.port, token));
    expect(await fresh.call('app.info', {})).toMatchObject({ name: 'Tandem' });
    await fresh.close();
  });

  test('a text frame that is not valid UTF-8 closes only that connection (1007); the server keeps serving', async () => {
    const socket = await FuzzSocket.open();
    const closed = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));
    socket.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await closed).toBe(1007);
    const fresh = await TandemWsClient.connect(wsUrl(server.port, token));
    expect(await fresh.call('chats.list', {})).toEqual(expect.any(Array));
    await fresh.close();
  });

  test('the fuzz reached validation, lookups and real work in the handlers', () => {
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(SEQUENTIAL_RUNS + PIPELINED_RUNS * PIPELINE_WIDTH);
    for (const code of ['INVALID_INPUT', 'BAD_MESSAGE', 'UNKNOWN_ROUTE', 'NOT_FOUND', 'MODEL_NOT_FOUND']) {
      expect(outcomes.get(code) ?? 0, `${code} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
    const succeeded = [...outcomes].filter(([key]) => key.startsWith('ok ')).map(([key]) => key.slice(3));
    expect(succeeded.length, JSON.stringify([...outcomes])).toBeGreaterThanOrEqual(5);
  });

  test('afterwards the backend still answers, the kept chat is intact, and nothing failed unexpectedly', async () => {
    const client = await TandemWsClient.connect(wsUrl(server.port, token));
    expect(await client.call('app.info', {})).toMatchObject({ name: 'Tandem', mode: 'serve' });
    const keeper = await client.call('chats.get', { chatId: keeperId });
    expect(keeper.messages).toEqual(keeperMessages);
    const listed = await client.call('chats.list', {});
    expect(listed.map((c) => c.id)).toContain(keeperId);
    for (const chat of listed) expect(contract['chats.get'].output.safeParse(await client.call('chats.get', { chatId: chat.id })).success).toBe(true);
    await client.close();
    expect(core.rpc.activeStreams).toBe(0);
    expect(logger.errors()).toEqual([]);
  });
});
