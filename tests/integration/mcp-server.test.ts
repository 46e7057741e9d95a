/* eslint-disable @typescript-eslint/no-explicit-any -- tool results are JSON, read here by their documented shape */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore } from '../../electron/core/app/create-core';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { requireStoriesModel, sharedModelsDir, storiesModelId, tandemBin, repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * `tandem mcp-server` as Claude Desktop or an IDE runs it: one stdio server
 * process for the whole file, driven by the official SDK client. Every tool's
 * happy path and a bad-input path; generate with stories260K streams progress
 * and can be cancelled; resources list and read. The data dir is seeded with a
 * provider on the fake OpenAI-compatible server (priced, plus a free
 * OpenRouter-style model) and a small indexed collection.
 */

const KEY = 'sk-mcp-server-test-0123456789';
const temp = new TempDirs();
let server: FakeOpenAIServer;
let client: Client;
let transport: StdioClientTransport;
let dataDir: string;
let stderr = '';
const protocolErrors: Error[] = [];

type ToolResult = CallToolResult & { structuredContent?: Record<string, any> };

async function call(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

function errorText(result: ToolResult): string {
  expect(result.isError, JSON.stringify(result.content)).toBe(true);
  return (result.content as { text: string }[]).map((c) => c.text).join('\n');
}

function ok(result: ToolResult): Record<string, any> {
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  return result.structuredContent!;
}

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({
    apiKey: KEY,
    extraModels: [
      { id: 'free-test:free', object: 'model', created: 1700000000, owned_by: 'fake', pricing: { prompt: '0', completion: '0' }, context_length: 4096 },
      { id: 'paid-test', object: 'model', created: 1700000000, owned_by: 'fake', pricing: { prompt: '0.000002', completion: '0.00001' } },
    ],
  });
  dataDir = await temp.make('tandem-mcp-server-');
  const docs = join(dataDir, '..', `${dataDir.split('/').pop()}-docs`);
  await mkdir(docs, { recursive: true });
  await writeFile(join(docs, 'lighthouse.md'), '# Keepers\n\nThe lighthouse keeper logs the tide every evening at the harbour.\n\n# Boats\n\nFishing boats leave at dawn.\n');
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { 'fake/gpt-test': { input: 2, output: 10 } } }));
  // Seed the data dir as a person would have (providers add, index), with a core of its own.
  const seed = await createCore({ dataDir, mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  try {
    await seed.providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKeyEnv: 'FAKE_MCP_KEY' });
    // A second provider on the same server for failures: its open circuit must not stop `fake`.
    await seed.providers.add({ name: 'flaky', preset: 'custom', baseUrl: server.baseUrl, apiKeyEnv: 'FAKE_MCP_KEY' });
    await seed.providers.add({ name: 'gone', preset: 'custom', baseUrl: 'http://127.0.0.1:9/v1' });
    const collection = await seed.documents.add({ name: 'harbour', paths: [docs] });
    await seed.documents.waitForIdle(collection.id);
  } finally {
    await seed.dispose();
  }
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [tandemBin, '--data-dir', dataDir, '--models-dir', sharedModelsDir, 'mcp-server'],
    cwd: repoRoot,
    env: { ...process.env, FAKE_MCP_KEY: KEY, TANDEM_LOG_LEVEL: 'warn' } as Record<string, string>,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client = new Client({ name: 'tandem-test', version: '1.0.0' });
  await client.connect(transport);
  // Anything on stdout that is not JSON-RPC surfaces here.
  client.onerror = (error) => protocolErrors.push(error);
}, 120_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await server?.close();
  await temp.removeAll();
});

describe('tandem mcp-server over stdio', () => {
  test('lists every tool with a description and an input schema', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      [
        'benchmark_task',
        'benchmark_tasks',
        'generate',
        'get_cost_estimate',
        'get_free_models',
        'get_usage',
        'list_models',
        'preemptive_route_task',
        'route_task',
        'search_documents',
        'set_model_prompting_strategy',
        'turtle_soup_ask',
        'turtle_soup_guess',
        'turtle_soup_hint',
        'turtle_soup_reveal',
        'turtle_soup_start',
      ].sort(),
    );
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
    }
    const route = tools.find((t) => t.name === 'route_task')!;
    expect(Object.keys(route.inputSchema.properties ?? {})).toEqual(['task', 'context_length', 'expected_output_length', 'complexity', 'priority']);
  });

  test('route_task: the chosen model and ranked candidates; a complexity out of range is refused', async () => {
    const decision = ok(await call('route_task', { task: 'Write a haiku about the sea', priority: 'privacy' }));
    expect(decision.model).toBe(storiesModelId);
    expect(decision.priority).toBe('privacy');
    const local = decision.candidates.find((c: any) => c.model === storiesModelId);
    expect(local).toMatchObject({ kind: 'local', estimatedCostUsd: 0, excluded: null });
    expect(local.predictedQuality).toBeGreaterThanOrEqual(0);
    const cloud = decision.candidates.find((c: any) => c.model === 'fake/gpt-test');
    expect(cloud.excluded.code).toBe('local-only-content');

    expect(errorText(await call('route_task', { task: 'x', complexity: 2 }))).toMatch(/complexity/);
  });

  test('preemptive_route_task: words only, context length counts; an empty task is refused', async () => {
    const decision = ok(await call('preemptive_route_task', { task: 'Summarise this', context_length: 50_000, expected_output_length: 300, complexity: 0.9 }));
    expect(decision.priority).toBe('quality');
    expect(decision.priorityFrom).toBe('complexity');
    expect(decision.promptTokens).toBeGreaterThanOrEqual(49_000);
    expect(decision.expectedOutputTokens).toBe(300);
    // 50,000 tokens are more than the fake model's 8,192-token window.
    expect(decision.candidates.find((c: any) => c.model === 'fake/gpt-test').excluded.code).toBe('context-too-long');
    expect(decision.similarity === null || decision.similarity !== 'embeddings').toBe(true);

    expect(errorText(await call('preemptive_route_task', { task: '' }))).toMatch(/task/);
  });

  test('get_cost_estimate: priced from the pricing table, local models free; without a task or length it says what to give', async () => {
    const estimate = ok(await call('get_cost_estimate', { context_length: 1000, expected_output_length: 100, model: 'fake/gpt-test' }));
    expect(estimate.estimates).toHaveLength(1);
    // 1,000 prompt tokens × $2/M + 100 answer tokens × $10/M.
    expect(estimate.estimates[0].estimatedCostUsd).toBeCloseTo(0.003, 4);
    const all = ok(await call('get_cost_estimate', { task: 'hello there' }));
    expect(all.estimates.find((e: any) => e.model === storiesModelId).estimatedCostUsd).toBe(0);

    expect(errorText(await call('get_cost_estimate', { model: 'fake/gpt-test' }))).toMatch(/INVALID_INPUT: Give the task, or context_length/);
    expect(errorText(await call('get_cost_estimate', { task: 'hi', model: 'nobody-model' }))).toMatch(/MODEL_NOT_FOUND/);
  });

  test('generate: a local model streams progress notifications; an unknown model is a tool error', async () => {
    const progress: { progress: number; message?: string }[] = [];
    const result = (await client.callTool(
      { name: 'generate', arguments: { model: storiesModelId, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40, temperature: 0 } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )) as ToolResult;
    const answer = ok(result);
    expect(answer.model).toBe(storiesModelId);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.usage.outputTokens).toBeGreaterThan(0);
    expect(answer.usage.costUsd).toBe(0);
    expect((result.content as { text: string }[])[0]!.text).toBe(answer.text);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.message ?? '').join('')).toBe(answer.text);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);

    expect(errorText(await call('generate', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }))).toMatch(/MODEL_NOT_FOUND/);
    expect(errorText(await call('generate', { messages: [] }))).toMatch(/messages/);
  });

  test('generate: cancelling the request stops the model stream at once', async () => {
    // slow-test sends one delta every 50 ms, 200 of them: 10 s unless the stream is stopped.
    const controller = new AbortController();
    let progressAt = 0;
    const cancelled = client.callTool(
      { name: 'generate', arguments: { model: 'fake/slow-test', messages: [{ role: 'user', content: 'Take your time' }] } },
      undefined,
      {
        signal: controller.signal,
        onprogress: () => {
          if (progressAt !== 0) return;
          progressAt = performance.now();
          controller.abort('enough');
        },
      },
    );
    await expect(cancelled).rejects.toThrow();
    expect(progressAt).toBeGreaterThan(0);
    // The model's HTTP stream was closed by Tandem long before its 10 s were up.
    for (let i = 0; i < 100 && !server.closedEarly.includes('slow-test'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.closedEarly).toContain('slow-test');
    expect(performance.now() - progressAt).toBeLessThan(3000);
    // The server goes on answering.
    expect(ok(await call('generate', { model: storiesModelId, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5 })).model).toBe(storiesModelId);
  });

  test('generate through provider + model, and auto names the model it picked', async () => {
    const cloud = ok(await call('generate', { provider: 'fake', model: 'gpt-test', messages: [{ role: 'user', content: 'Say hello' }] }));
    expect(cloud.text).toBe('Hello from the fake server.');
    expect(cloud.model).toBe('fake/gpt-test');
    expect(cloud.usage.costUsd).toBeGreaterThan(0);

    const auto = ok(await call('generate', { messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 8 }));
    expect(typeof auto.model).toBe('string');
    expect(auto.model).not.toBe('auto');
    expect(auto.routeReason).toBeTruthy();

    expect(errorText(await call('generate', { provider: 'fake', messages: [{ role: 'user', content: 'x' }] }))).toMatch(/With provider, give model/);
  });

  test('set_model_prompting_strategy: stored, then applied by generate; a template without {{task}} is refused', async () => {
    const set = ok(
      await call('set_model_prompting_strategy', {
        model: 'fake/gpt-test',
        system_prompt: 'You are terse.',
        user_template: 'Question: {{task}}',
        assistant_prefix: 'Answer:',
      }),
    );
    expect(set.strategy).toMatchObject({ systemPrompt: 'You are terse.', userTemplate: 'Question: {{task}}', assistantPrefix: 'Answer:' });
    const saved = JSON.parse(await readFile(join(dataDir, 'mcp-server', 'prompting.json'), 'utf8'));
    expect(saved.models['fake/gpt-test'].userTemplate).toBe('Question: {{task}}');

    const before = server.bodies.length;
    const answer = ok(await call('generate', { model: 'fake/gpt-test', messages: [{ role: 'user', content: 'What is 2+2?' }] }));
    expect(answer.text.startsWith('Answer:')).toBe(true);
    const body = server.bodies.slice(before).at(-1) as { messages: { role: string; content: string }[] };
    expect(body.messages[0]).toMatchObject({ role: 'system' });
    expect(body.messages[0]!.content).toContain('You are terse.');
    expect(body.messages.at(-1)).toMatchObject({ role: 'user', content: 'Question: What is 2+2?' });

    expect(errorText(await call('set_model_prompting_strategy', { model: 'fake/gpt-test', user_template: 'no placeholder' }))).toMatch(/\{\{task\}\}/);
    expect(errorText(await call('set_model_prompting_strategy', { model: 'nobody', system_prompt: 'x' }))).toMatch(/MODEL_NOT_FOUND/);
    // Nothing given: the strategy is removed.
    expect(ok(await call('set_model_prompting_strategy', { model: 'fake/gpt-test' })).removed).toBe(true);
  });

  test('list_models: a model context for local, cloud and the router; an unknown kind is refused', async () => {
    const { models } = ok(await call('list_models'));
    const local = models.find((m: any) => m.id === storiesModelId);
    expect(local.kind).toBe('local');
    expect(local.runtime.pricePerMillion).toEqual({ input: 0, output: 0 });
    expect(models.find((m: any) => m.id === 'auto').kind).toBe('router');
    const cloud = models.find((m: any) => m.id === 'fake/gpt-test');
    expect(cloud.kind).toBe('cloud');
    expect(cloud.capabilities.contextWindow).toBe(8192);
    const onlyLocal = ok(await call('list_models', { kind: 'local' }));
    expect(onlyLocal.models.every((m: any) => m.kind === 'local')).toBe(true);

    expect(errorText(await call('list_models', { kind: 'remote' }))).toMatch(/kind/);
  });

  test('get_free_models: local models and zero-priced cloud models; a provider that cannot be reached is named', async () => {
    const free = ok(await call('get_free_models'));
    expect(free.local.map((m: any) => m.id)).toContain(storiesModelId);
    const cloudIds = free.cloud.map((m: any) => m.id);
    expect(cloudIds).toContain('fake/free-test:free');
    expect(cloudIds).not.toContain('fake/paid-test');
    expect(free.problems.map((p: any) => p.provider)).toEqual(['gone']);
  });

  test('search_documents: snippets with citations; an unknown collection names the ones there are', async () => {
    const found = ok(await call('search_documents', { collection: 'harbour', query: 'lighthouse keeper tide', mode: 'keyword', k: 3 }));
    expect(found.collection).toMatchObject({ name: 'harbour', localOnly: false });
    expect(found.results.length).toBeGreaterThan(0);
    const top = found.results[0];
    expect(top.path).toMatch(/lighthouse\.md$/);
    expect(top.heading).toBe('Keepers');
    expect(top.snippet).toMatch(/lighthouse keeper/i);
    expect(top.localOnly).toBe(false);
    expect(typeof top.score).toBe('number');

    expect(errorText(await call('search_documents', { collection: 'attic', query: 'x' }))).toMatch(/NOT_FOUND: There is no collection "attic" \(collections: harbour\)/);
    expect(errorText(await call('search_documents', { collection: 'harbour', query: 'x', mode: 'fuzzy' }))).toMatch(/mode/);
  });

  test('benchmark_task: per-model quality, speed and cost through the lab; no models is refused', async () => {
    const run = ok(await call('benchmark_task', { task: 'Greet me', reference: 'hello', models: ['fake/gpt-test', storiesModelId], max_tokens: 16 }));
    expect(run.status).toBe('done');
    const cloud = run.models.find((m: any) => m.model === 'fake/gpt-test');
    expect(cloud).toMatchObject({ quality: 1, errors: 0, calls: 1 });
    expect(cloud.costUsd).toBeGreaterThan(0);
    const local = run.models.find((m: any) => m.model === storiesModelId);
    expect(local.calls).toBe(1);
    expect(local.costUsd).toBe(0);
    expect(local.ttftMs).not.toBeNull();
    expect(run.results).toHaveLength(2);

    expect(errorText(await call('benchmark_task', { task: 'Greet me', models: [] }))).toMatch(/models/);
  });

  test('benchmark_tasks: several tasks in parallel, errors per model; a bad grader is refused', async () => {
    const run = ok(
      await call('benchmark_tasks', {
        tasks: [
          { task: 'Say hello', reference: 'hello' },
          { task: 'Say the word fake', grader: { type: 'regex', pattern: 'fake' } },
        ],
        models: ['fake/gpt-test', 'flaky/fault-500'],
        parallel: true,
      }),
    );
    expect(run.taskSet.tasks).toBe(2);
    expect(run.models.find((m: any) => m.model === 'fake/gpt-test')).toMatchObject({ quality: 1, errors: 0, calls: 2 });
    const failing = run.models.find((m: any) => m.model === 'flaky/fault-500');
    expect(failing.errors).toBe(2);
    expect(run.results.filter((r: any) => r.model === 'flaky/fault-500').every((r: any) => r.error !== null)).toBe(true);

    expect(errorText(await call('benchmark_tasks', { tasks: [{ task: 'x', grader: 'telepathy' }], models: ['fake/gpt-test'] }))).toMatch(/grader/);
  });

  test('get_usage: the requests made above, with cost; a malformed date is refused', async () => {
    const usage = ok(await call('get_usage'));
    const cloud = usage.models.find((m: any) => m.modelId === 'fake/gpt-test');
    expect(cloud.requests).toBeGreaterThanOrEqual(2);
    expect(cloud.costUsd).toBeGreaterThan(0);
    expect(usage.totals.requests).toBeGreaterThanOrEqual(cloud.requests);

    expect(errorText(await call('get_usage', { since: 'last week' }))).toMatch(/YYYY-MM-DD/);
  });

  test('resources: collections and model contexts are listed and read; an unknown one is an error', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain(`tandem://models/${storiesModelId}`);
    expect(uris).toContain('tandem://models/fake%2Fgpt-test');
    const collection = resources.find((r) => r.name === 'harbour')!;
    expect(collection.uri).toMatch(/^tandem:\/\/collections\//);

    const read = await client.readResource({ uri: collection.uri });
    const view = JSON.parse((read.contents[0] as { text: string }).text);
    expect(view).toMatchObject({ name: 'harbour', files: 1, localOnly: false });
    expect(view.chunks).toBeGreaterThan(0);
    const model = JSON.parse(((await client.readResource({ uri: 'tandem://models/fake%2Fgpt-test' })).contents[0] as { text: string }).text);
    expect(model).toMatchObject({ id: 'fake/gpt-test', kind: 'cloud' });

    await expect(client.readResource({ uri: 'tandem://models/nobody' })).rejects.toThrow(/nobody/);
    const completion = await client.complete({ ref: { type: 'ref/resource', uri: 'tandem://models/{id}' }, argument: { name: 'id', value: 'stor' } });
    expect(completion.completion.values).toEqual([storiesModelId]);
  });

  test('stdout carried nothing but the protocol, and closing stdin ends the process', async () => {
    const pid = transport.pid!;
    await client.close();
    const deadline = Date.now() + 15_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        alive = false;
      }
    }
    expect(alive, stderr).toBe(false);
    expect(protocolErrors).toEqual([]);
    expect(stderr).not.toMatch(/ERROR/);
  });
});
