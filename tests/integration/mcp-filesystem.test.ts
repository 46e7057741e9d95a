import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import { repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The reference filesystem server over stdio, limited to a temp folder; it also follows Tandem's roots. */

const FILESYSTEM = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
const temp = new TempDirs();
let allowed: string;
let other: string;
let roots: string[] = [];
let host: McpHost;

beforeAll(async () => {
  const dir = await realpath(await temp.make('tandem-mcp-fs-'));
  allowed = join(dir, 'allowed');
  other = join(dir, 'other');
  await mkdir(join(allowed, 'notes'), { recursive: true });
  await mkdir(other);
  await writeFile(join(allowed, 'hello.txt'), 'Hello from the allowed folder\n');
  await writeFile(join(other, 'elsewhere.txt'), 'Only reachable once it is a root\n');
  host = new McpHost({ dataDir: join(dir, 'data'), logger: new RecordingLogger(), loginShellPath: false, roots: () => roots });
  await host.init();
  await host.add({ transport: 'stdio', name: 'fs', command: process.execPath, args: [FILESYSTEM, allowed] });
  await waitUntil(() => host.status('fs')?.state === 'ready', 'fs ready', 30_000);
});

afterAll(async () => {
  await host?.dispose();
  await temp.removeAll();
});

describe('server-filesystem over stdio', () => {
  test('lists the allowed folder and reads a file in it', async () => {
    const listing = await host.callTool('fs', 'list_directory', { path: allowed });
    expect(listing.isError).toBe(false);
    expect(listing.text).toContain('[FILE] hello.txt');
    expect(listing.text).toContain('[DIR] notes');
    const file = await host.callTool('fs', 'read_text_file', { path: join(allowed, 'hello.txt') });
    expect(file.text).toBe('Hello from the allowed folder\n');
  });

  test('a path outside the allowed folder is refused by the server (an error result)', async () => {
    const refused = await host.callTool('fs', 'read_text_file', { path: join(other, 'elsewhere.txt') });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/Access denied|outside allowed/i);
  });

  test('roots from settings replace its allowed folders after roots/list_changed', async () => {
    roots = [other];
    await host.rootsChanged();
    await expect
      .poll(async () => (await host.callTool('fs', 'list_allowed_directories', {})).text, { timeout: 10_000 })
      .toContain(other);
    const file = await host.callTool('fs', 'read_text_file', { path: join(other, 'elsewhere.txt') });
    expect(file.text).toBe('Only reachable once it is a root\n');
  });
});
