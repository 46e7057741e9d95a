import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import type { SamplingParams } from '../../electron/core/mcp/types';
import type { McpServerStatus } from '../../shared/ipc/routes/mcp';
import { repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The reference "everything" server over stdio, as a child process, through the host the app uses. */

const EVERYTHING = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const temp = new TempDirs();
const logger = new RecordingLogger();
const events: { name: string; status: McpServerStatus | null }[] = [];
const samplingCalls: { server: string; params: SamplingParams }[] = [];
let roots: string[] = [];
let host: McpHost;
let spawnToReadyMs = 0;

beforeAll(async () => {
  const dataDir = await temp.make('tandem-mcp-everything-');
  roots = [join(dataDir, 'project')];
  host = new McpHost({
    dataDir,
    logger,
    loginShellPath: false,
    roots: () => roots,
    onChanged: (name, status) => events.push({ name, status }),
    samplingHandler: async (server, params) => {
      samplingCalls.push({ server, params });
      return { model: 'test-model', text: 'Sampled hello', stopReason: 'endTurn' };
    },
  });
  await host.init();
  const started = performance.now();
  await host.add({ transport: 'stdio', name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'] });
  await waitUntil(() => host.status('everything')?.state === 'ready', 'everything to be ready', 30_000);
  spawnToReadyMs = performance.now() - started;
  console.log(`server-everything stdio: spawn to ready in ${Math.round(spawnToReadyMs)} ms`);
});

afterAll(async () => {
  await host?.dispose();
  await temp.removeAll();
});

describe('server-everything over stdio', () => {
  test('connects, lists its tools, resources and prompts, and says so in mcp.changed', () => {
    const status = host.status('everything')!;
    expect(status.connectedVia).toBe('stdio');
    expect(status.serverInfo?.name).toContain('everything');
    const names = status.tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    expect(status.tools.every((t) => t.enabled && t.approval === 'ask')).toBe(true);
    expect(status.resources.length).toBeGreaterThan(0);
    expect(status.prompts.length).toBeGreaterThan(0);
    expect(events.some((e) => e.name === 'everything' && e.status?.state === 'ready')).toBe(true);
    expect(spawnToReadyMs).toBeLessThan(20_000);
  });

  test('tools added after initialize (tools/list_changed) show up: the sampling and roots tools', async () => {
    await waitUntil(() => host.status('everything')!.tools.some((t) => t.name === 'trigger-sampling-request'), 'list_changed refresh', 10_000);
    expect(host.status('everything')!.tools.map((t) => t.name)).toContain('get-roots-list');
  });

  test('echo returns its text', async () => {
    const result = await host.callTool('everything', 'echo', { message: 'hello tandem' });
    expect(result.isError).toBe(false);
    expect(result.text).toContain('hello tandem');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  test('an image result is described, not dumped', async () => {
    const result = await host.callTool('everything', 'get-tiny-image', {});
    expect(result.text).toMatch(/\[image: image\/png, \d+ bytes\]/);
  });

  test('resource links come back as their URIs', async () => {
    const result = await host.callTool('everything', 'get-resource-links', { count: 2 });
    expect(result.text).toMatch(/\[resource: \S+:\/\/\S+/);
  });

  test('reads a resource and gets a prompt', async () => {
    const uri = host.status('everything')!.resources[0]!.uri;
    const contents = await host.readResource('everything', uri);
    expect(contents[0]!.uri).toBe(uri);
    expect(contents[0]!.text ?? contents[0]!.blobBase64).toBeTruthy();

    const prompt = host.status('everything')!.prompts.find((p) => p.arguments.every((a) => !a.required))!;
    const got = await host.getPrompt('everything', prompt.name, {});
    expect(got.messages.length).toBeGreaterThan(0);
    expect(got.messages[0]!.text.length).toBeGreaterThan(0);
  });

  test('a long-running tool reports progress, and progress keeps a short timeout from firing', async () => {
    await host.update({ transport: 'stdio', name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'], timeoutMs: 1500 });
    await waitUntil(() => host.status('everything')?.state === 'ready', 'ready after update', 30_000);
    const progress: number[] = [];
    const result = await host.callTool('everything', 'trigger-long-running-operation', { duration: 3, steps: 3 }, { onProgress: (p) => progress.push(p.progress) });
    expect(result.text).toContain('Long running operation completed');
    // The last notification may race the result; the ones before it must have arrived, in order.
    expect(progress.slice(0, 2)).toEqual([1, 2]);
  });

  test('the same long tool with no progress in time is cancelled with TIMEOUT', async () => {
    // 1 step of 3 s against a 1.5 s timeout: no progress arrives before the timeout.
    await expect(host.callTool('everything', 'trigger-long-running-operation', { duration: 3, steps: 1 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  test('aborting a call fails it with CANCELLED at once', async () => {
    const controller = new AbortController();
    const call = host.callTool('everything', 'trigger-long-running-operation', { duration: 5, steps: 5 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('sampling: the server asks, the handler answers, the tool returns the answer', async () => {
    await waitUntil(() => host.status('everything')!.tools.some((t) => t.name === 'trigger-sampling-request'), 'sampling tool', 10_000);
    const result = await host.callTool('everything', 'trigger-sampling-request', { prompt: 'Say hi', maxTokens: 50 });
    expect(result.text).toContain('Sampled hello');
    expect(result.text).toContain('test-model');
    expect(samplingCalls.at(-1)!.server).toBe('everything');
    expect(samplingCalls.at(-1)!.params).toMatchObject({ systemPrompt: 'You are a helpful test server.', maxTokens: 50, temperature: 0.7 });
    expect(samplingCalls.at(-1)!.params.messages[0]!.text).toContain('Say hi');
  });

  test('roots: the server sees the roots from settings, and a change after roots/list_changed', async () => {
    await waitUntil(() => host.status('everything')!.tools.some((t) => t.name === 'get-roots-list'), 'roots tool', 10_000);
    const first = await host.callTool('everything', 'get-roots-list', {});
    expect(first.text).toContain(`file://${roots[0]}`);
    const updates = () => host.logs('everything').filter((l) => /Roots updated/.test(l)).length;
    const before = updates();
    roots = ['/tmp/tandem-other-root'];
    await host.rootsChanged();
    await waitUntil(() => updates() > before, 'the server to ask for the roots again', 5000);
    const second = await host.callTool('everything', 'get-roots-list', {});
    expect(second.text).toContain('file:///tmp/tandem-other-root');
  });

  test('tool policy: a disabled tool is left out of toolsFor; always-allow is remembered', async () => {
    await host.setToolPolicy('everything', 'echo', { enabled: false });
    await host.setApprovalPolicy('everything', 'get-sum', 'always-allow');
    const tools = host.toolsFor(['everything', 'nope']).map((t) => t.tool.name);
    expect(tools).not.toContain('echo');
    expect(tools).toContain('get-sum');
    expect(host.approvalPolicy('everything', 'get-sum')).toBe('always-allow');
    expect(host.approvalPolicy('everything', 'echo')).toBe('ask');
  });

  test('dispose ends the child process', async () => {
    const pid = host.pid('everything');
    expect(pid).toBeGreaterThan(0);
    await host.dispose();
    expect(isAlive(pid!)).toBe(false);
    await expect(host.callTool('everything', 'get-sum', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'MCP_UNAVAILABLE' });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
