import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createCore } from '../../electron/core/app/create-core';
import { AppNoticeSchema, type AppNotice } from '../../shared/ipc/routes/app';
import { CollectingClient } from '../support/collecting-client';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Issue 15: no configuration is ever lost. Each of the four config files, when
 * it cannot be used, is kept aside as NAME.invalid-<time>, the app starts with
 * defaults, the user is told (app.notices / app.notice, and one CLI line), and
 * nothing later overwrites the kept copy.
 */

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const BROKEN = {
  'providers.json': '{"version": 1, "providers": [{"name": "mine", "preset": "openai", ',
  'mcp-servers.json': JSON.stringify({ version: 1, servers: [{ name: 'files', transport: 'carrier-pigeon' }] }),
  'settings.json': '{ not json at all',
  [join('documents', 'collections.json')]: JSON.stringify({ version: 1, collections: 'oops' }),
} as const;

async function writeBroken(dataDir: string): Promise<void> {
  await mkdir(join(dataDir, 'documents'), { recursive: true });
  for (const [name, content] of Object.entries(BROKEN)) await writeFile(join(dataDir, name), content);
}

async function keptAside(dataDir: string, name: string): Promise<string[]> {
  const dir = join(dataDir, name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '');
  const base = name.slice(name.lastIndexOf('/') + 1);
  return (await readdir(dir)).filter((entry) => entry.startsWith(`${base}.invalid-`)).map((entry) => join(dir, entry));
}

describe('config files that cannot be used', () => {
  test('each is kept aside whole, the app starts with defaults, and the window is told what was kept and where', async () => {
    const dataDir = await temp.make('tandem-config-');
    await writeBroken(dataDir);
    const core = await createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, startMcpServers: false });
    let notices: AppNotice[] = [];
    try {
      const client = new CollectingClient(core.rpc);
      notices = await client.call('app.notices', {});
      expect(notices).toHaveLength(4);
      for (const [name, content] of Object.entries(BROKEN)) {
        const kept = await keptAside(dataDir, name);
        expect(kept, name).toHaveLength(1);
        expect(await readFile(kept[0]!, 'utf8')).toBe(content);
        const notice = notices.find((n) => n.keptAs === kept[0]);
        expect(notice, name).toBeDefined();
        expect(notice!.message).toContain(kept[0]!);
        expect(AppNoticeSchema.parse(notice)).toEqual(notice);
      }
      // Defaults: no providers, no servers, default settings, no collections.
      expect(await client.call('providers.list', {})).toEqual([]);
      expect(await client.call('mcp.list', {})).toEqual([]);
      expect((await client.call('settings.get', {})).theme).toBe('system');
      expect(await client.call('collections.list', {})).toEqual([]);

      // The next save writes a fresh file and never touches the kept copy.
      await client.call('settings.update', { theme: 'dark' });
      await client.call('providers.add', { name: 'local', preset: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' });
      const keptProviders = await keptAside(dataDir, 'providers.json');
      expect(await readFile(keptProviders[0]!, 'utf8')).toBe(BROKEN['providers.json']);
      expect(JSON.parse(await readFile(join(dataDir, 'providers.json'), 'utf8')).providers).toHaveLength(1);

      // Dismissed for every window.
      const other = new CollectingClient(core.rpc);
      expect(await client.call('app.dismissNotice', { id: notices[0]!.id })).toEqual({ dismissed: true });
      expect(await other.call('app.notices', {})).toHaveLength(3);
    } finally {
      await core.dispose();
    }

    // A second start finds good files and keeps the first kept copies; it still shows the three notices not dismissed.
    const dismissedKept = notices[0]!.keptAs;
    const again = await createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, startMcpServers: false });
    try {
      const left = again.notices.list();
      expect(left.map((n) => n.keptAs).sort()).toEqual(notices.slice(1).map((n) => n.keptAs).sort());
      expect(left.map((n) => n.keptAs)).not.toContain(dismissedKept);
      expect(await keptAside(dataDir, 'providers.json')).toHaveLength(1);
    } finally {
      await again.dispose();
    }
  });

  test('a file the CLI kept aside is shown at the next window start until dismissed; the dismissal lasts', async () => {
    const dataDir = await temp.make('tandem-config-cli-then-window-');
    await writeFile(join(dataDir, 'providers.json'), 'broken by hand');
    const cli = await createCore({ dataDir, mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
    await cli.dispose();
    const [kept] = await keptAside(dataDir, 'providers.json');
    expect(kept).toBeDefined();

    const start = () => createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, startMcpServers: false });
    const window = await start();
    try {
      const client = new CollectingClient(window.rpc);
      const notices = await client.call('app.notices', {});
      expect(notices).toEqual([expect.objectContaining({ level: 'warning', keptAs: kept, file: join(dataDir, 'providers.json') })]);
      expect(notices[0]!.message).toContain(kept!);
      expect(await client.call('app.dismissNotice', { id: notices[0]!.id })).toEqual({ dismissed: true });
    } finally {
      await window.dispose();
    }
    // Remembered in the data dir (written whole), so the next start has nothing to say.
    expect(JSON.parse(await readFile(join(dataDir, 'notices-dismissed.json'), 'utf8'))).toEqual({ version: 1, keptAs: [kept!.slice(dataDir.length + 1)] });
    const next = await start();
    try {
      expect(next.notices.list()).toEqual([]);
    } finally {
      await next.dispose();
    }
  });

  test('a file broken twice is kept twice: the first kept copy is never overwritten', async () => {
    const dataDir = await temp.make('tandem-config-twice-');
    for (const content of ['first broken', 'second broken']) {
      await writeFile(join(dataDir, 'providers.json'), content);
      const core = await createCore({ dataDir, mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
      await core.dispose();
    }
    const kept = await keptAside(dataDir, 'providers.json');
    expect(kept).toHaveLength(2);
    expect((await Promise.all(kept.map((path) => readFile(path, 'utf8')))).sort()).toEqual(['first broken', 'second broken']);
  });

  test('a notice raised while the window is open arrives as an app.notice event', async () => {
    const dataDir = await temp.make('tandem-config-event-');
    const core = await createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, startMcpServers: false });
    try {
      const client = new CollectingClient(core.rpc);
      core.notices.add({ message: 'something to know' });
      expect(client.messages).toContainEqual(expect.objectContaining({ type: 'event', event: 'app.notice', payload: expect.objectContaining({ message: 'something to know' }) }));
    } finally {
      await core.dispose();
    }
  });

  test('the CLI prints one line per notice on stderr, and the command still runs', async () => {
    const dataDir = await temp.make('tandem-config-cli-');
    await writeFile(join(dataDir, 'providers.json'), '{"version": 1, "providers": [');
    const run = TandemProcess.start(['--data-dir', dataDir, 'providers', 'list']);
    const { code } = await run.waitForExit();
    expect(code, run.stderr()).toBe(0);
    const lines = run.stderr().trim().split('\n');
    const kept = await keptAside(dataDir, 'providers.json');
    expect(kept).toHaveLength(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^tandem: warning: providers\\.json could not be used because it is not valid JSON\\. It was kept as ${kept[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]);
  });

  test('tandem mcp logout says which MCP files were kept aside, like every other command', async () => {
    const dataDir = await temp.make('tandem-config-mcp-cli-');
    await writeFile(join(dataDir, 'mcp-servers.json'), BROKEN['mcp-servers.json']);
    await writeFile(join(dataDir, 'mcp-auth.json'), '{"version": 1, "servers": ');
    const run = TandemProcess.start(['--data-dir', dataDir, 'mcp', 'logout', 'files']);
    await run.waitForExit();
    const lines = run.stderr().trim().split('\n');
    for (const file of ['mcp-servers.json', 'mcp-auth.json']) {
      const kept = await keptAside(dataDir, file);
      expect(kept, file).toHaveLength(1);
      const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(lines, run.stderr()).toContainEqual(expect.stringMatching(new RegExp(`^tandem: warning: ${literal(file)} could not be used because .*It was kept as ${literal(kept[0]!)}`)));
    }
  });

  // Root reads everything, so this one runs only as an ordinary user.
  test.skipIf(process.getuid?.() === 0)('a config file that cannot be read at all (permissions) stops the start instead of being treated as empty', async () => {
    const dataDir = await temp.make('tandem-config-unreadable-');
    const path = join(dataDir, 'providers.json');
    await writeFile(path, JSON.stringify({ version: 1, providers: [] }));
    await chmod(path, 0o000);
    try {
      await expect(createCore({ dataDir, mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false })).rejects.toThrow(/EACCES/);
    } finally {
      await chmod(path, 0o600);
    }
  });
});

describe('a settings write that fails on disk (issue 15: writes recover)', () => {
  test('the route answers STORAGE_FAILED, the window gets a notice, and the next change is saved', async () => {
    const dataDir = await temp.make('tandem-settings-write-');
    const core = await createCore({ dataDir, mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, startMcpServers: false });
    try {
      const client = new CollectingClient(core.rpc);
      await client.call('settings.update', { theme: 'light' });
      // Something takes the file's place: a folder cannot be renamed over (even for root).
      const settingsPath = join(dataDir, 'settings.json');
      await rm(settingsPath);
      await mkdir(join(settingsPath, 'blocker'), { recursive: true });
      const failed = await client.request('settings.update', { theme: 'dark' });
      expect(failed).toMatchObject({ ok: false, error: { code: 'STORAGE_FAILED', retryable: true, message: expect.stringMatching(/Settings could not be saved/) } });
      expect((await client.call('settings.get', {})).theme).toBe('light');
      const notices = await client.call('app.notices', {});
      expect(notices).toEqual([expect.objectContaining({ level: 'error', message: expect.stringMatching(/Settings could not be saved/) })]);
      expect(client.messages).toContainEqual(expect.objectContaining({ type: 'event', event: 'app.notice' }));

      await rm(settingsPath, { recursive: true });
      const saved = await client.call('settings.update', { theme: 'dark' });
      expect(saved.theme).toBe('dark');
      expect(JSON.parse(await readFile(settingsPath, 'utf8')).theme).toBe('dark');
    } finally {
      await core.dispose();
    }
  });
});
