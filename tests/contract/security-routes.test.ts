import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { startServeServer, type ServeServer } from '../../electron/core/server/serve-server';
import { createToken } from '../../electron/core/server/security';
import { CollectingClient } from '../support/collecting-client';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { TandemWsClient, wsUrl } from '../support/ws-client';
import { repoRoot } from '../support/paths';
import { sleep, waitUntil } from '../support/wait';

/**
 * Issue 15's security checklist through the routes: which environment
 * variable a provider key may come from (and where it may go), and what
 * "Open in system viewer" may open.
 */

const temp = new TempDirs();
const token = createToken();
let core: Core;
let server: ServeServer;
let window: CollectingClient;
let program: TandemWsClient;
let page: TandemWsClient;
let folder: string;
const opened: string[] = [];

beforeAll(async () => {
  const root = await temp.make('tandem-security-');
  folder = join(root, 'files');
  await mkdir(folder);
  await writeFile(join(folder, 'notes.md'), '# Notes\n\nThe Danube flows through ten countries.\n');
  await writeFile(join(folder, 'install.sh'), '#!/bin/sh\necho the Danube\n');
  await writeFile(join(folder, 'tool.js'), 'console.log("the Danube");\n');
  await writeFile(join(folder, 'Data.CSV'), 'river,countries\nDanube,10\n');
  const logger = new RecordingLogger();
  core = await createCore({
    dataDir: join(root, 'data'),
    modelsDirs: [],
    mode: 'desktop',
    version: '0.0.0-test',
    logger,
    gpu: false,
    startMcpServers: false,
    openPath: async (path) => {
      opened.push(path);
    },
  });
  server = await startServeServer({ rpc: core.rpc, logger, token, host: '127.0.0.1', port: 0, staticDir: null });
  window = new CollectingClient(core.rpc);
  program = await TandemWsClient.connect(wsUrl(server.port, token));
  page = await TandemWsClient.connect(wsUrl(server.port, token), { origin: `http://127.0.0.1:${server.port}` });
});

afterAll(async () => {
  await program?.close();
  await page?.close();
  await server?.close();
  await core?.dispose();
  await temp.removeAll();
});

describe('a provider key from the environment (apiKeyEnv)', () => {
  test.each([
    ['HOME', 'custom'],
    ['PATH', 'custom'],
    ['AWS_SECRET_ACCESS_KEY', 'custom'],
    ['AWS_SECRET_ACCESS_KEY', 'openai'],
    ['GITHUB_TOKEN', 'openrouter'],
  ] as const)('a program on the serve socket cannot send %s (preset %s) to a URL of its choosing', async (variable, preset) => {
    const result = await program.request('providers.add', { name: `evil-${variable.toLowerCase().replace(/_/g, '-')}-${preset}`, preset, baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: variable });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  test("nor the preset's own variable to another address, nor move a provider holding a key", async () => {
    const moved = await program.request('providers.add', { name: 'evil-openai', preset: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(moved).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/OPENAI_API_KEY/) } });
    // The preset as shipped is fine, and so is a key the client gives itself for its own URL.
    expect((await program.request('providers.add', { name: 'openai', preset: 'openai' })).ok).toBe(true);
    expect((await program.request('providers.add', { name: 'own-key', preset: 'custom', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-own-0123456789abcdef' })).ok).toBe(true);
    expect(await program.request('providers.update', { name: 'openai', baseUrl: 'http://127.0.0.1:9/v1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await program.request('providers.update', { name: 'own-key', baseUrl: 'http://127.0.0.1:10/v1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await program.request('providers.update', { name: 'own-key', apiKeyEnv: 'HOME' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const names = (await window.call('providers.list', {})).map((p) => p.name).sort();
    expect(names).toEqual(['openai', 'own-key']);
    expect((await window.call('providers.list', {})).find((p) => p.name === 'openai')?.baseUrl).toBe('https://api.openai.com/v1');
  });

  test('the window (desktop, or the served page) may name a key-shaped variable, never HOME or PATH', async () => {
    for (const client of [window, page]) {
      const suffix = client === window ? 'w' : 'p';
      expect(await client.request('providers.add', { name: `home-${suffix}`, preset: 'custom', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'HOME' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.stringMatching(/does not look like an API key variable/) },
      });
      expect((await client.request('providers.add', { name: `mine-${suffix}`, preset: 'custom', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'MY_SERVICE_API_KEY' })).ok).toBe(true);
    }
  });
});

describe('Open in system viewer (documents.openExternal)', () => {
  test('documents open; scripts and code never do', async () => {
    const collection = await window.call('collections.add', { name: 'Files', paths: [folder] });
    const deadline = Date.now() + 60_000;
    while ((await window.call('collections.list', {})).find((c) => c.id === collection.id)?.state === 'indexing') {
      if (Date.now() > deadline) throw new Error('indexing did not finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const name of ['install.sh', 'tool.js']) {
      const result = await window.request('documents.openExternal', { collectionId: collection.id, path: join(folder, name) });
      expect(result, name).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/could run as a program/) } });
    }
    expect(opened).toEqual([]);
    for (const name of ['notes.md', 'Data.CSV']) {
      expect(await window.request('documents.openExternal', { collectionId: collection.id, path: join(folder, name) }), name).toMatchObject({ ok: true });
    }
    expect(opened).toEqual([join(folder, 'notes.md'), join(folder, 'Data.CSV')]);
  });
});

describe('a stdio MCP server added from a file or by another program', () => {
  const FAULT_SERVER = join(repoRoot, 'tests', 'fixtures', 'mcp', 'fault-server.mjs');
  const stdio = (name: string) => ({ transport: 'stdio' as const, name, command: process.execPath, args: [FAULT_SERVER] });

  test('is created but not started; only the window can allow it; then it runs', async () => {
    const added = await program.call('mcp.add', stdio('from-program'));
    expect(added.state).toBe('needs-confirmation');
    await sleep(300);
    expect(core.mcp.pid('from-program')).toBeNull();
    expect(await program.request('mcp.restart', { name: 'from-program' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await program.call('mcp.setEnabled', { name: 'from-program', enabled: true })).state).toBe('needs-confirmation');
    expect(await program.request('mcp.confirmStart', { name: 'from-program' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/Only the Tandem window/) } });
    expect(core.mcp.pid('from-program')).toBeNull();

    await window.call('mcp.confirmStart', { name: 'from-program' });
    await waitUntil(() => core.mcp.status('from-program')?.state === 'ready', 'the allowed server to be ready', 30_000);
    expect(core.mcp.pid('from-program')).not.toBeNull();

    // Another program changing what it runs needs the user's OK again.
    const changed = await program.call('mcp.update', { ...stdio('from-program'), args: [FAULT_SERVER, '--changed'] });
    expect(changed.state).toBe('needs-confirmation');
    expect(core.mcp.pid('from-program')).toBeNull();
    // The window's own edit (command line in view, "Save and restart") allows it again.
    await window.call('mcp.update', stdio('from-program'));
    await waitUntil(() => core.mcp.status('from-program')?.state === 'ready', 'the server the window saved to be ready', 30_000);
    await window.call('mcp.remove', { name: 'from-program' });
  });

  test('the window adds and starts at once; an imported file waits even when the window imports it', async () => {
    const mine = await window.call('mcp.add', stdio('from-window'));
    expect(mine.state).not.toBe('needs-confirmation');
    await waitUntil(() => core.mcp.status('from-window')?.state === 'ready', 'the window’s server to be ready', 30_000);

    const imported = await window.call('mcp.import', {
      content: JSON.stringify({ mcpServers: { 'from-file': { command: process.execPath, args: [FAULT_SERVER] }, remote: { url: 'http://127.0.0.1:9/mcp' } } }),
    });
    expect(imported.added.sort()).toEqual(['from-file', 'remote']);
    expect(core.mcp.status('from-file')?.state).toBe('needs-confirmation');
    expect(core.mcp.status('remote')?.state).not.toBe('needs-confirmation'); // an HTTP server runs nothing here
    await sleep(300);
    expect(core.mcp.pid('from-file')).toBeNull();
    // The served page counts as the window.
    await page.call('mcp.confirmStart', { name: 'from-file' });
    await waitUntil(() => core.mcp.status('from-file')?.state === 'ready', 'the imported server to be ready', 30_000);
    for (const name of ['from-window', 'from-file', 'remote']) await window.call('mcp.remove', { name });
  });

  test('an unconfirmed server stays stopped across a restart of the app', async () => {
    const dataDir = await temp.make('tandem-security-restart-');
    const first = await createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
    try {
      await first.mcp.importConfig(JSON.stringify({ mcpServers: { waiting: { command: process.execPath, args: [FAULT_SERVER] } } }));
    } finally {
      await first.dispose();
    }
    const second = await createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
    try {
      await sleep(500);
      expect(second.mcp.status('waiting')?.state).toBe('needs-confirmation');
      expect(second.mcp.pid('waiting')).toBeNull();
    } finally {
      await second.dispose();
    }
  });
});
