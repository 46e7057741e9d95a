import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import { startEverythingHttp, type EverythingHttp } from '../fixtures/mcp/everything-http';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** HTTP servers: server-everything in streamable HTTP mode, and in its old HTTP+SSE mode (the fallback). */

const temp = new TempDirs();
const logger = new RecordingLogger();
const servers: EverythingHttp[] = [];
let host: McpHost;
let headerSink: Server;
const seenHeaders: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  host = new McpHost({ dataDir: await temp.make('tandem-mcp-http-'), logger, loginShellPath: false });
  await host.init();
  headerSink = createServer((req, res) => {
    seenHeaders.push(req.headers);
    res.writeHead(500).end('no');
  });
  await new Promise<void>((resolve) => headerSink.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await host?.dispose();
  await Promise.all(servers.map((s) => s.stop()));
  await new Promise((resolve) => headerSink?.close(resolve));
  await temp.removeAll();
});

describe('MCP over HTTP', () => {
  test('streamable HTTP: connects, lists tools, calls echo and reports progress', async () => {
    const server = await startEverythingHttp('streamableHttp');
    servers.push(server);
    await host.add({ transport: 'http', name: 'everything-http', url: server.url });
    await waitUntil(() => host.status('everything-http')?.state === 'ready', 'ready', 30_000);
    const status = host.status('everything-http')!;
    expect(status.connectedVia).toBe('streamable-http');
    expect(status.tools.map((t) => t.name)).toContain('echo');
    expect((await host.callTool('everything-http', 'echo', { message: 'over http' })).text).toContain('over http');
    const progress: number[] = [];
    await host.callTool('everything-http', 'trigger-long-running-operation', { duration: 1, steps: 2 }, { onProgress: (p) => progress.push(p.progress) });
    expect(progress[0]).toBe(1);
  });

  test('a streamable server that goes away: calls fail with MCP_UNAVAILABLE; when it is back the host reconnects', async () => {
    const first = servers[0]!;
    await first.stop();
    await expect(host.callTool('everything-http', 'echo', { message: 'gone' })).rejects.toMatchObject({ code: 'MCP_UNAVAILABLE' });
    expect(['restarting', 'error']).toContain(host.status('everything-http')!.state);
    servers.push(await startEverythingHttp('streamableHttp', Number(new URL(first.url).port)));
    await waitUntil(() => host.status('everything-http')?.state === 'ready', 'reconnected', 40_000);
    expect((await host.callTool('everything-http', 'echo', { message: 'back' })).text).toContain('back');
  });

  test('an old HTTP+SSE server: the streamable POST gets a 4xx, the host falls back to SSE', async () => {
    const server = await startEverythingHttp('sse');
    servers.push(server);
    await host.add({ transport: 'http', name: 'everything-sse', url: server.url });
    await waitUntil(() => host.status('everything-sse')?.state === 'ready', 'ready', 30_000);
    expect(host.status('everything-sse')!.connectedVia).toBe('sse');
    expect(host.logs('everything-sse').join('\n')).toMatch(/answered 404; trying the older HTTP\+SSE transport/);
    expect((await host.callTool('everything-sse', 'echo', { message: 'over sse' })).text).toContain('over sse');
  });

  test('custom headers (secret ones too) are sent; a closed port is an error state, not a crash', async () => {
    const { port } = headerSink.address() as { port: number };
    const status = await host.add({
      transport: 'http',
      name: 'headers',
      url: `http://127.0.0.1:${port}/mcp`,
      headers: { 'X-Team': 'blue', Authorization: 'Bearer header-secret-123456' },
      secretHeaders: ['Authorization'],
    });
    await waitUntil(() => host.status('headers')?.state === 'error', 'error state', 10_000);
    expect(seenHeaders[0]?.['x-team']).toBe('blue');
    expect(seenHeaders[0]?.authorization).toBe('Bearer header-secret-123456');
    expect(status.config.headers.Authorization).toEqual({ value: '••••3456', secret: true });
    expect(JSON.stringify(host.status('headers')) + host.logs('headers').join('\n')).not.toContain('header-secret-123456');

    await host.add({ transport: 'http', name: 'closed', url: 'http://127.0.0.1:9/mcp' });
    await waitUntil(() => host.status('closed')?.state === 'error', 'error state', 10_000);
    await expect(host.callTool('closed', 'echo', {})).rejects.toMatchObject({ code: 'MCP_UNAVAILABLE' });
  });
});
