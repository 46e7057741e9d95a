import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import { preflightCommand } from '../../electron/core/mcp/preflight';
import { flattenContent } from '../../electron/core/mcp/result-text';
import { LoginShellPath, mergePaths, readLoginShellPath } from '../../electron/core/mcp/login-shell-path';
import { repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** Server config: secrets sealed on disk and masked in views, import of a Claude Desktop config, export without secrets. */

const FAULT_SERVER = join(repoRoot, 'tests', 'fixtures', 'mcp', 'fault-server.mjs');
const SECRET = 'ghp_supersecretvalue9876';
const temp = new TempDirs();
const logger = new RecordingLogger();
let dataDir: string;
let host: McpHost;

beforeAll(async () => {
  dataDir = await temp.make('tandem-mcp-config-');
  host = new McpHost({ dataDir, logger, loginShellPath: false });
  await host.init();
});

afterAll(async () => {
  await host?.dispose();
  await temp.removeAll();
});

describe('MCP server config', () => {
  test('a secret env value is sealed on disk, masked in the status, and reaches the server', async () => {
    const status = await host.add({
      transport: 'stdio',
      name: 'secretive',
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { GITHUB_TOKEN: SECRET, PLAIN: 'visible' },
      secretEnv: ['GITHUB_TOKEN'],
    });
    expect(status.config.env).toEqual({ GITHUB_TOKEN: { value: '••••9876', secret: true }, PLAIN: { value: 'visible', secret: false } });
    const onDisk = await readFile(join(dataDir, 'mcp-servers.json'), 'utf8');
    expect(onDisk).not.toContain(SECRET);
    expect(onDisk).toContain('aes256gcm:');
    await waitUntil(() => host.status('secretive')?.state === 'ready', 'ready', 20_000);
    expect((await host.callTool('secretive', 'env', { name: 'GITHUB_TOKEN' })).text).toBe(SECRET);
    expect(JSON.stringify(host.list())).not.toContain(SECRET);
  });

  test('update: a secret named without a value keeps the stored one; tool policies survive', async () => {
    await host.setToolPolicy('secretive', 'echo', { approval: 'always-allow' });
    const status = await host.update({
      transport: 'stdio',
      name: 'secretive',
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { PLAIN: 'changed' },
      secretEnv: ['GITHUB_TOKEN'],
    });
    expect(status.config.env.GITHUB_TOKEN).toEqual({ value: '••••9876', secret: true });
    expect(status.config.env.PLAIN?.value).toBe('changed');
    expect(host.approvalPolicy('secretive', 'echo')).toBe('always-allow');
    await waitUntil(() => host.status('secretive')?.state === 'ready', 'ready', 20_000);
    expect((await host.callTool('secretive', 'env', { name: 'GITHUB_TOKEN' })).text).toBe(SECRET);

    // A fresh host reads the same file back.
    const again = new McpHost({ dataDir, logger, loginShellPath: false });
    await again.init();
    expect(again.status('secretive')!.config.env.GITHUB_TOKEN).toEqual({ value: '••••9876', secret: true });
    expect(again.status('secretive')!.state).toBe('stopped');
    await again.dispose();
  });

  test('import a Claude Desktop config: stdio and http added, invalid and existing skipped with reasons', async () => {
    const config = {
      mcpServers: {
        filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
        github: { command: 'docker', args: ['run', '-i', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_imported123456' } },
        remote: { url: 'https://example.com/mcp', headers: { Authorization: 'Bearer abcdefgh12345678' } },
        legacy: { type: 'sse', url: 'http://127.0.0.1:9/sse' },
        broken: { args: ['no command'] },
        'bad name!': { command: 'node' },
        websocket: { type: 'ws', url: 'ws://127.0.0.1:9' },
        secretive: { command: 'node' },
      },
    };
    const result = await host.importConfig(JSON.stringify(config), { start: false });
    expect(result.added.sort()).toEqual(['filesystem', 'github', 'legacy', 'remote']);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.name, s.reason]));
    expect(reasons.secretive).toBe('already exists');
    expect(reasons.broken).toMatch(/needs either "command"/);
    expect(reasons['bad name!']).toMatch(/name/);
    expect(reasons.websocket).toMatch(/not supported/);
    expect(host.status('github')!.config.env.GITHUB_PERSONAL_ACCESS_TOKEN).toEqual({ value: '••••3456', secret: true });
    expect(host.status('remote')!.config.headers.Authorization!.secret).toBe(true);
    expect(host.status('legacy')!.config.transport).toBe('http');
    expect(host.status('filesystem')!.state).toBe('needs-confirmation'); // issue 15: a command line from a file waits for the user's OK
    // ...and `tandem mcp tools|call` (ensureReady) does not start it behind the window's back.
    await expect(host.ensureReady('filesystem')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not been allowed to run.*MCP page/) });
    expect(host.status('filesystem')!.state).toBe('needs-confirmation');

    expect((await host.importConfig('{ not json', { start: false })).skipped[0]!.reason).toMatch(/not valid JSON/);
    expect((await host.importConfig('{"other": {}}', { start: false })).skipped[0]!.reason).toMatch(/mcpServers/);
  });

  test('export writes mcpServers without secret values and says which were left out', async () => {
    const exported = host.exportConfig();
    expect(exported.filename).toBe('mcp-servers-without-secrets.json');
    expect(exported.content).not.toContain(SECRET);
    expect(exported.content).not.toContain('ghp_imported123456');
    expect(exported.content).not.toContain('abcdefgh12345678');
    const json = JSON.parse(exported.content) as { _tandemNote: string; mcpServers: Record<string, Record<string, unknown>> };
    expect(json.mcpServers.filesystem).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] });
    expect(json.mcpServers.remote).toEqual({ type: 'http', url: 'https://example.com/mcp' });
    expect(json._tandemNote).toContain('github: env GITHUB_PERSONAL_ACCESS_TOKEN');
    // What Tandem exports, Tandem (and Claude Desktop) can import.
    const other = new McpHost({ dataDir: await temp.make('tandem-mcp-reimport-'), logger, loginShellPath: false });
    await other.init();
    expect((await other.importConfig(exported.content, { start: false })).added.length).toBe(host.list().length);
    await other.dispose();
  });

  test('remove forgets a server and stops it', async () => {
    await host.remove('secretive');
    expect(host.status('secretive')).toBeNull();
    await expect(host.callTool('secretive', 'echo', { message: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('preflight and PATH', () => {
  test('well-known launchers get an install hint; a found command resolves to its absolute path', async () => {
    const empty = await temp.make('tandem-empty-path-');
    expect(await preflightCommand('uvx', { path: empty })).toEqual({ ok: false, message: expect.stringMatching(/^uvx was not found on PATH\. Install uv/) });
    expect(await preflightCommand('python', { path: empty })).toMatchObject({ ok: false, message: expect.stringMatching(/Install Python 3/) });
    expect(await preflightCommand('node', { path: empty })).toMatchObject({ ok: false, message: expect.stringMatching(/Install Node\.js/) });
    const found = await preflightCommand('node', { path: join(process.execPath, '..') });
    expect(found).toEqual({ ok: true, resolved: process.execPath });
  });

  test('the login shell PATH is read between markers, merged first, and a slow shell is cut off', async () => {
    expect(mergePaths('/a:/b', '/b:/c', ':')).toBe('/a:/b:/c');
    const dir = await temp.make('tandem-fake-shell-');
    // A login shell whose rc files print a banner around the answer.
    const chatty = join(dir, 'chatty-sh');
    await writeFile(chatty, '#!/bin/sh\necho "Welcome back"\nPATH=/opt/login/bin:/usr/bin:/bin /bin/sh -c "$2"\necho "bye"\n', { mode: 0o755 });
    expect(await readLoginShellPath(chatty, 1500)).toBe('/opt/login/bin:/usr/bin:/bin');
    // Our own PATH keeps its order; the login shell adds what is missing.
    expect(await new LoginShellPath({ env: { PATH: '/own/bin:/usr/bin', SHELL: chatty }, platform: 'linux' }).get()).toBe('/own/bin:/usr/bin:/opt/login/bin:/bin');
    const slow = join(dir, 'slow-sh');
    await writeFile(slow, '#!/bin/sh\nsleep 5\n', { mode: 0o755 });
    const started = performance.now();
    expect(await readLoginShellPath(slow, 300)).toBeNull();
    expect(performance.now() - started).toBeLessThan(1500);
  });
});

describe('tool result text', () => {
  test('text joined, media described with size, resources by URI', () => {
    const text = flattenContent([
      { type: 'text', text: 'first' },
      { type: 'image', mimeType: 'image/png', data: Buffer.alloc(300).toString('base64') },
      { type: 'audio', mimeType: 'audio/wav', data: Buffer.alloc(10).toString('base64') },
      { type: 'resource_link', uri: 'file:///tmp/report.pdf', name: 'report' },
      { type: 'resource', resource: { uri: 'test://inline', text: 'inline text' } },
      { type: 'resource', resource: { uri: 'test://blob', mimeType: 'application/zip', blob: Buffer.alloc(4).toString('base64') } },
    ]);
    expect(text.split('\n')).toEqual([
      'first',
      '[image: image/png, 300 bytes]',
      '[audio: audio/wav, 10 bytes]',
      '[resource: file:///tmp/report.pdf (report)]',
      'inline text',
      '[resource: test://blob, application/zip, 4 bytes]',
    ]);
  });
});
