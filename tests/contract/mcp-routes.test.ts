import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { McpServerStatus } from '../../shared/ipc/routes/mcp';
import { CollectingClient } from '../support/collecting-client';
import { repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The mcp.* routes through the router as a window uses them, with a real server as a child process. */

const FAULT_SERVER = join(repoRoot, 'tests', 'fixtures', 'mcp', 'fault-server.mjs');
const SECRET = 'tok-contract-secret-42abcd';
const temp = new TempDirs();
const logger = new RecordingLogger();
let core: Core;
let client: CollectingClient;
let dataDir: string;

const changes = (name: string) =>
  client.messages
    .filter((m): m is Extract<typeof m, { type: 'event' }> => m.type === 'event' && (m as { event?: string }).event === 'mcp.changed')
    .map((m) => (m as unknown as { payload: { name: string; status: McpServerStatus | null } }).payload)
    .filter((p) => p.name === name);

beforeAll(async () => {
  dataDir = await temp.make('tandem-mcp-routes-');
  core = await createCore({ dataDir, mode: 'serve', version: '0.0.0-test', logger, gpu: false });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await temp.removeAll();
});

describe('mcp routes', () => {
  test('add starts the server; mcp.changed reports starting then ready; the secret is masked everywhere', async () => {
    const added = await client.call('mcp.add', {
      transport: 'stdio',
      name: 'faulty',
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { TOKEN: SECRET },
      secretEnv: ['TOKEN'],
    });
    expect(added.config.env.TOKEN).toEqual({ value: '••••abcd', secret: true });
    await waitUntil(() => changes('faulty').some((c) => c.status?.state === 'ready'), 'ready event', 30_000);
    const states = changes('faulty').map((c) => c.status?.state);
    expect(states.indexOf('starting')).toBeLessThan(states.indexOf('ready'));
    const [listed] = await client.call('mcp.list', {});
    expect(listed!.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'crash', 'hang', 'huge']));
    expect(JSON.stringify(client.messages)).not.toContain(SECRET);
    expect(await readFile(join(dataDir, 'mcp-servers.json'), 'utf8')).not.toContain(SECRET);
  });

  test('callTool, setToolPolicy, logs and export answer through the router', async () => {
    const result = await client.call('mcp.callTool', { name: 'faulty', tool: 'echo', args: { message: 'via router' } });
    expect(result).toMatchObject({ isError: false, text: 'echo: via router' });
    const policy = await client.call('mcp.setToolPolicy', { name: 'faulty', tool: 'huge', enabled: false, approval: 'always-allow' });
    expect(policy.tools.find((t) => t.name === 'huge')).toMatchObject({ enabled: false, approval: 'always-allow' });
    expect(core.mcp.toolsFor(['faulty']).map((t) => t.tool.name)).not.toContain('huge');
    const { lines } = await client.call('mcp.logs', { name: 'faulty' });
    expect(lines.some((l) => l.includes('fault server'))).toBe(true);
    const exported = await client.call('mcp.export', {});
    expect(exported.content).not.toContain(SECRET);
    expect(exported.content).toContain('faulty');
  });

  test('errors: unknown server NOT_FOUND, duplicate CONFLICT, bad input INVALID_INPUT', async () => {
    const missing = await client.request('mcp.callTool', { name: 'nobody', tool: 'echo', args: {} });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    const duplicate = await client.request('mcp.add', { transport: 'stdio', name: 'faulty', command: 'node' });
    expect(!duplicate.ok && duplicate.error.code).toBe('CONFLICT');
    const bad = await client.request('mcp.add', { transport: 'stdio', name: 'bad name', command: 'node' });
    expect(!bad.ok && bad.error.code).toBe('INVALID_INPUT');
  });

  test('setEnabled false stops it (disabled), true starts it again; remove sends a null status', async () => {
    const pid = core.mcp.pid('faulty');
    const disabled = await client.call('mcp.setEnabled', { name: 'faulty', enabled: false });
    expect(disabled.state).toBe('disabled');
    expect(core.mcp.toolsFor(['faulty'])).toEqual([]);
    await expect.poll(() => alive(pid!), { timeout: 5000 }).toBe(false);
    await client.call('mcp.setEnabled', { name: 'faulty', enabled: true });
    await waitUntil(() => core.mcp.status('faulty')?.state === 'ready', 'ready again', 30_000);
    await client.call('mcp.remove', { name: 'faulty' });
    expect(changes('faulty').at(-1)).toEqual({ name: 'faulty', status: null });
    expect(await client.call('mcp.list', {})).toEqual([]);
  });

  test('import through the route adds and skips', async () => {
    const result = await client.call('mcp.import', {
      content: JSON.stringify({ mcpServers: { off: { command: 'tandem-no-such-command-x', disabled: true }, nope: { foo: 1 } } }),
    });
    expect(result.added).toEqual(['off']);
    expect(result.skipped).toEqual([{ name: 'nope', reason: expect.stringMatching(/needs either/) }]);
    expect(core.mcp.status('off')!.state).toBe('disabled');
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
