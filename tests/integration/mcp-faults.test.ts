import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import { truncateForModel } from '../../electron/core/mcp/result-text';
import { repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { sleep, waitUntil } from '../support/wait';

/** Servers that crash, hang, print garbage or answer 5 MB (tests/fixtures/mcp/fault-server.mjs), as real child processes. */

const FAULT_SERVER = join(repoRoot, 'tests', 'fixtures', 'mcp', 'fault-server.mjs');
const temp = new TempDirs();
const logger = new RecordingLogger();
let dir: string;
let host: McpHost;

const faultServer = (name: string, env: Record<string, string> = {}, timeoutMs?: number) => ({
  transport: 'stdio' as const,
  name,
  command: process.execPath,
  args: [FAULT_SERVER],
  env: { FAULT_LOG: join(dir, `${name}.log`), ...env },
  ...(timeoutMs ? { timeoutMs } : {}),
});
const fixtureLog = async (name: string) => (await readFile(join(dir, `${name}.log`), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const ready = (name: string, timeoutMs = 20_000) => waitUntil(() => host.status(name)?.state === 'ready', `${name} to be ready`, timeoutMs);

beforeAll(async () => {
  dir = await temp.make('tandem-mcp-faults-');
  host = new McpHost({ dataDir: join(dir, 'data'), logger, loginShellPath: false, restartPolicy: { initialDelayMs: 100, maxDelayMs: 400 } });
  await host.init();
});

afterAll(async () => {
  await host?.dispose();
  await temp.removeAll();
});

describe('misbehaving MCP servers', () => {
  test('a server that exits during a call: the call fails at once with MCP_UNAVAILABLE, the server restarts, the next call works', async () => {
    await host.add(faultServer('crashy', {}, 30_000));
    await ready('crashy');
    const started = performance.now();
    const error = await host.callTool('crashy', 'crash', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MCP_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/exited with code 3: fatal: simulated crash/);
    expect(performance.now() - started).toBeLessThan(5000);

    await waitUntil(() => host.status('crashy')!.restarts === 1 && host.status('crashy')!.state === 'ready', 'the restart', 20_000);
    expect((await fixtureLog('crashy')).filter((l) => l.startsWith('started'))).toHaveLength(2);
    const result = await host.callTool('crashy', 'echo', { message: 'again' });
    expect(result.text).toBe('echo: again');
    expect(host.logs('crashy').join('\n')).toContain('fatal: simulated crash');
  });

  test('a server that never answers: TIMEOUT after timeoutMs, and the server is told (notifications/cancelled)', async () => {
    await host.add(faultServer('hangs', {}, 1500));
    await ready('hangs');
    const started = performance.now();
    await expect(host.callTool('hangs', 'hang', {})).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
    await expect.poll(async () => (await fixtureLog('hangs')).some((l) => l.startsWith('cancelled')), { timeout: 5000 }).toBe(true);
    expect(host.status('hangs')!.state).toBe('ready');
  });

  test('aborting a call cancels it on the server too', async () => {
    const controller = new AbortController();
    const call = host.callTool('hangs', 'hang', {}, { signal: controller.signal });
    await sleep(100);
    const before = (await fixtureLog('hangs')).filter((l) => l.startsWith('cancelled')).length;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect.poll(async () => (await fixtureLog('hangs')).filter((l) => l.startsWith('cancelled')).length, { timeout: 5000 }).toBe(before + 1);
  });

  test('garbage on stdout: the host survives, notes it in the logs, and the call still answers', async () => {
    await host.add(faultServer('noisy'));
    await ready('noisy');
    const result = await host.callTool('noisy', 'garbage', {});
    expect(result.text).toBe('answered after the garbage');
    expect(host.logs('noisy').some((l) => l.includes('not JSON-RPC was ignored: this is not JSON'))).toBe(true);
    expect(host.status('noisy')!.state).toBe('ready');
    expect((await host.callTool('noisy', 'echo', { message: 'still here' })).text).toBe('echo: still here');
  });

  test('a 5 MB result comes back whole; truncateForModel cuts it for the model', async () => {
    const result = await host.callTool('noisy', 'huge', { megabytes: 5 });
    expect(result.text.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    const cut = truncateForModel(result.text, 20_000);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(20_000);
    expect(cut.text).toMatch(/characters of this tool result were left out/);
    expect(truncateForModel('short', 20_000)).toEqual({ text: 'short', truncated: false });
  });

  test('an isError result is a result, not a thrown error', async () => {
    const result = await host.callTool('noisy', 'fail', {});
    expect(result).toMatchObject({ isError: true, text: 'the tool failed on purpose' });
  });

  test('a crash loop is restarted with backoff, then left in error until restarted by hand', async () => {
    await host.add(faultServer('looping', { FAULT_EXIT_AFTER_MS: '150' }));
    await waitUntil(() => host.status('looping')!.restarts >= 5 && host.status('looping')!.state === 'error', 'giving up', 30_000);
    const status = host.status('looping')!;
    expect(status.error?.message).toMatch(/exited with code 7: fatal: exiting on schedule/);
    expect(status.error?.message).toMatch(/restart it when fixed/);
    const starts = (await fixtureLog('looping')).filter((l) => l.startsWith('started')).length;
    await sleep(1000);
    expect((await fixtureLog('looping')).filter((l) => l.startsWith('started')).length).toBe(starts);
    await host.remove('looping');
  });

  test('a missing command is caught before spawning, with what to install', async () => {
    const status = await host.add({ transport: 'stdio', name: 'needs-npx', command: 'npx', args: ['-y', 'some-server'], env: { PATH: join(dir, 'empty-bin') } });
    expect(status.state).toBe('error');
    expect(status.preflight).toMatch(/^npx was not found on PATH\. Install Node\.js \(includes npx\)/);
    expect(status.error?.code).toBe('MCP_UNAVAILABLE');
    const missing = await host.add({ transport: 'stdio', name: 'missing', command: '/no/such/bin/server' });
    expect(missing.preflight).toMatch(/does not exist or is not executable/);
    await expect(host.callTool('missing', 'x', {})).rejects.toMatchObject({ code: 'MCP_UNAVAILABLE' });
  });

  test('dispose kills the whole process tree, grandchildren included', async () => {
    await host.add(faultServer('family', { FAULT_GRANDCHILD: '1' }));
    await ready('family');
    await expect.poll(async () => (await fixtureLog('family')).some((l) => l.startsWith('grandchild')), { timeout: 5000 }).toBe(true);
    const pids = [host.pid('family')!, Number((await fixtureLog('family')).find((l) => l.startsWith('grandchild'))!.split(' ')[1])];
    const allPids = ['crashy', 'hangs', 'noisy'].map((n) => host.pid(n)!).concat(pids);
    expect(allPids.every((pid) => pid > 0 && alive(pid))).toBe(true);
    const started = performance.now();
    await host.dispose();
    expect(performance.now() - started).toBeLessThan(5000);
    await expect.poll(() => allPids.filter(alive), { timeout: 3000 }).toEqual([]);
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

