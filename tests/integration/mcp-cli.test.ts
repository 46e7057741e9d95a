import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../support/paths';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem mcp …` as a person runs it, against real servers started as child processes. */

const EVERYTHING = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const FAULT_SERVER = join(repoRoot, 'tests', 'fixtures', 'mcp', 'fault-server.mjs');
const SECRET = 'sk-mcp-cli-secret-0000abcd';
const temp = new TempDirs();
const running: TandemProcess[] = [];
let dataDir: string;

beforeAll(async () => {
  dataDir = await temp.make('tandem-cli-mcp-');
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

async function tandem(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process = TandemProcess.start(['--data-dir', dataDir, ...args]);
  running.push(process);
  const { code } = await process.waitForExit(60_000);
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}

describe('tandem mcp', () => {
  test('add (stdio, with a secret env) and list without starting anything', async () => {
    const add = await tandem('mcp', 'add', 'everything', '--secret-env', `API_KEY=${SECRET}`, '--', process.execPath, EVERYTHING, 'stdio');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('Added everything');
    const fault = await tandem('mcp', 'add', 'faulty', '--env', 'MODE=test', '--', process.execPath, FAULT_SERVER);
    expect(fault.code, fault.stderr).toBe(0);
    const remote = await tandem('mcp', 'add', 'remote', '--url', 'http://127.0.0.1:9/mcp', '--header', 'X-Team=blue');
    expect(remote.code, remote.stderr).toBe(0);

    const list = await tandem('mcp', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^everything\tstdio\tstopped\t- tools\t/m);
    expect(list.stdout).toMatch(/^remote\thttp\tstopped\t- tools\thttp:\/\/127\.0\.0\.1:9\/mcp$/m);
    expect(list.stdout + list.stderr).not.toContain(SECRET);
    expect(await readFile(join(dataDir, 'mcp-servers.json'), 'utf8')).not.toContain(SECRET);
  });

  test('tools starts the one server and lists its tools with descriptions', async () => {
    const tools = await tandem('mcp', 'tools', 'everything');
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toMatch(/^echo\tEchoes back the input string$/m);
    expect(tools.stdout).toMatch(/^get-sum\t/m);
  });

  test('call prints the tool result; --env reached the server', async () => {
    const echo = await tandem('mcp', 'call', 'everything', 'echo', '{"message":"hello from the CLI"}');
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout).toBe('Echo: hello from the CLI\n');
    const env = await tandem('mcp', 'call', 'faulty', 'env', '{"name":"MODE"}');
    expect(env.stdout).toBe('test\n');
  });

  test('an isError result prints its text and exits 1; failures print CODE: message and exit 1', async () => {
    const failed = await tandem('mcp', 'call', 'faulty', 'fail');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('the tool failed on purpose\n');

    const unknown = await tandem('mcp', 'call', 'nobody', 'echo', '{}');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^tandem mcp: NOT_FOUND: No MCP server named "nobody"/m);

    const closed = await tandem('mcp', 'tools', 'remote');
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/tandem mcp: MCP_UNAVAILABLE: MCP server remote is not running/);

    const badJson = await tandem('mcp', 'call', 'everything', 'echo', '{nope');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/not valid JSON/);
  });

  test('a missing command is reported by preflight at add and at call', async () => {
    const add = await tandem('mcp', 'add', 'ghost', '--', 'tandem-no-such-command', '--flag');
    expect(add.code).toBe(0);
    expect(add.stderr).toMatch(/warning: tandem-no-such-command was not found on PATH/);
    const call = await tandem('mcp', 'call', 'ghost', 'x');
    expect(call.code).toBe(1);
    expect(call.stderr).toMatch(/MCP_UNAVAILABLE: .*tandem-no-such-command was not found on PATH/);
  });

  test('import adds a Claude Desktop config (invalid and existing skipped); rm forgets a server', async () => {
    const file = join(dataDir, 'claude_desktop_config.json');
    await writeFile(
      file,
      JSON.stringify({
        mcpServers: {
          memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
          everything: { command: 'node' },
          broken: { args: [] },
          web: { type: 'sse', url: 'http://127.0.0.1:9/sse' },
        },
      }),
    );
    const imported = await tandem('mcp', 'import', file);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Added memory');
    expect(imported.stdout).toContain('Added web');
    expect(imported.stdout).toContain('Skipped everything: already exists');
    expect(imported.stdout).toMatch(/Skipped broken: needs either "command"/);
    expect(imported.stdout).toContain('2 added, 2 skipped');

    const rm = await tandem('mcp', 'rm', 'memory');
    expect(rm.code, rm.stderr).toBe(0);
    const list = await tandem('mcp', 'list');
    expect(list.stdout).not.toMatch(/^memory\t/m);
    expect((await tandem('mcp', 'rm', 'memory')).code).toBe(1);
  });

  test('usage errors exit 2', async () => {
    expect((await tandem('mcp', 'add', 'x')).code).toBe(2);
    expect((await tandem('mcp', 'add', 'x', '--url', 'http://a', '--', 'node')).code).toBe(2);
    expect((await tandem('mcp', 'frobnicate')).code).toBe(2);
  });
});
