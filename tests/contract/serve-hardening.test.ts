import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type WebSocket from 'ws';
import { RpcDispatcher, type RpcLimits } from '../../electron/core/rpc/rpc-dispatcher';
import type { Handlers, RequestContext } from '../../electron/core/rpc/handlers';
import { startServeServer, type ConnectionLimits, type ServeServer } from '../../electron/core/server/serve-server';
import { createToken } from '../../electron/core/server/security';
import { routeNames } from '../../shared/ipc/contract';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { RecordingLogger } from '../support/test-logger';
import { TandemWsClient, wsUrl } from '../support/ws-client';
import { sleep, waitUntil } from '../support/wait';

/**
 * Issue 15: the serve-mode backend survives bad clients. A handwritten handler
 * set stands in for the services (what is under test is the transport and the
 * dispatcher): a stream that produces as fast as it can, requests that hang.
 */

const unused = () => {
  throw new Error('not used in this test');
};
const base = Object.fromEntries(routeNames.filter((route) => route !== 'stream.cancel').map((route) => [route, unused])) as unknown as Handlers;

interface Flood {
  started: number;
  aborted: boolean;
  partsEmitted: number;
}

const servers: ServeServer[] = [];
const clients: TandemWsClient[] = [];
let release: () => void = () => undefined;
afterEach(async () => {
  release();
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => release());

async function setUp(
  options: { rpc?: Partial<RpcLimits>; connection?: Partial<ConnectionLimits>; partBytes?: number; partDelayMs?: number; burst?: number } = {},
) {
  const floods: Flood[] = [];
  const contexts: RequestContext[] = [];
  let gate = new Promise<void>((resolve) => (release = resolve));
  const chunk = 'x'.repeat(options.partBytes ?? 64 * 1024);
  const handlers: Handlers = {
    ...base,
    // A stream that emits as fast as the event loop lets it until it is stopped.
    'chat.send': async () => ({
      info: { userMessageId: 'u', assistantMessageId: 'a' },
      run: async (emit: (part: StreamPart) => void, signal: AbortSignal) => {
        const flood: Flood = { started: Date.now(), aborted: false, partsEmitted: 0 };
        floods.push(flood);
        if (options.burst) {
          // `burst` parts at once (no wait between them), then the end.
          for (let i = 0; i < options.burst; i++) emit({ type: 'text-delta', text: chunk });
          flood.partsEmitted = options.burst;
          emit({ type: 'finish', reason: 'stop' });
          return;
        }
        while (!signal.aborted) {
          emit({ type: 'text-delta', text: chunk });
          flood.partsEmitted += 1;
          await new Promise((resolve) => (options.partDelayMs ? setTimeout(resolve, options.partDelayMs) : setImmediate(resolve)));
        }
        flood.aborted = true;
        emit({ type: 'finish', reason: 'cancelled' });
      },
    }),
    // Hangs until the test releases it.
    'chats.list': async () => {
      await gate;
      return [];
    },
    // Answers who asked.
    'app.notices': (_input: unknown, context: RequestContext) => {
      contexts.push(context);
      return [];
    },
  } as Handlers;
  const logger = new RecordingLogger();
  const rpc = new RpcDispatcher(handlers, logger, 0, options.rpc);
  const token = createToken();
  const server = await startServeServer({ rpc, logger, token, host: '127.0.0.1', port: 0, staticDir: null, limits: options.connection });
  servers.push(server);
  const connect = async (wsOptions: WebSocket.ClientOptions = {}) => {
    const client = await TandemWsClient.connect(wsUrl(server.port, token), wsOptions);
    clients.push(client);
    return client;
  };
  return {
    rpc,
    server,
    floods,
    contexts,
    logger,
    connect,
    reopenGate: () => (gate = new Promise<void>((resolve) => (release = resolve))),
  };
}

const chatInput = { chatId: 'c1', text: 'hi', modelId: 'm' };

describe('a client that stops reading (backpressure)', () => {
  test('the bytes queued for it stay under the high-water mark; it is dropped and its stream cancelled; others are served', async () => {
    const maxBufferedBytes = 2 * 1024 * 1024;
    const partBytes = 64 * 1024;
    // Four times the mark counts after a quarter of the grace (500 ms here); the grace alone would take 2 s.
    const slowReaderGraceMs = 2_000;
    const { server, floods, rpc, connect, logger } = await setUp({ connection: { maxBufferedBytes, slowReaderGraceMs }, partBytes, partDelayMs: 1 });
    const slow = await connect();
    const started = await slow.call('chat.send', chatInput);
    expect(started.streamId).toBeTruthy();
    // The reader stops: its socket is paused, so nothing more is read from the kernel.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitUntil(() => floods[0]?.aborted === true, 'the stream of the client that stopped reading to be cancelled', 20_000);
    // Bounded: four times the mark, plus what the stream made (a part per millisecond at most) in the 500 ms before that rule counts.
    expect(floods[0]!.aborted).toBe(true);
    expect(Date.now() - floods[0]!.started).toBeLessThan(20_000);
    expect(server.peakBufferedBytes).toBeGreaterThan(maxBufferedBytes);
    expect(server.peakBufferedBytes).toBeLessThanOrEqual(4 * maxBufferedBytes + 501 * (partBytes + 1024));
    await waitUntil(() => rpc.activeStreams === 0, 'no stream left running');
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message).join('\n')).toMatch(/stopped reading/);
    slow.socket.terminate();
    // The server goes on serving a client that reads.
    const reader = await connect();
    const next = await reader.call('chat.send', chatInput);
    await waitUntil(() => reader.stream(next.streamId).parts.length >= 20, 'a reading client to get parts');
    expect(await reader.request('stream.cancel', { streamId: next.streamId })).toEqual({ ok: true, data: { cancelled: true } });
    const view = await reader.waitForEnd(next.streamId);
    expect(view.end?.status).toBe('cancelled');
  });

  test('a client still over the mark after the grace period is dropped even when it trickles', async () => {
    const maxBufferedBytes = 1024 * 1024;
    const { floods, connect, server } = await setUp({ connection: { maxBufferedBytes, slowReaderGraceMs: 200 }, partBytes: 4096, partDelayMs: 1 });
    const slow = await connect();
    await slow.call('chat.send', chatInput);
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await waitUntil(() => floods[0]?.aborted === true, 'the stream to be cancelled', 20_000);
    // Dropped by the grace period, before the queue reached four times the mark.
    expect(server.peakBufferedBytes).toBeGreaterThan(maxBufferedBytes);
    expect(server.peakBufferedBytes).toBeLessThan(4 * maxBufferedBytes);
    slow.socket.terminate();
  });

  test('answers larger than four times the mark, queued at once for a client that reads, all arrive', async () => {
    const maxBufferedBytes = 1024 * 1024;
    const partBytes = 8 * 1024 * 1024;
    const { connect, logger } = await setUp({ connection: { maxBufferedBytes }, partBytes, burst: 3 });
    const reader = await connect();
    const started = await reader.call('chat.send', chatInput);
    const view = await reader.waitForEnd(started.streamId);
    expect(reader.isClosed).toBe(false);
    expect(view.parts.filter((part) => part.type === 'text-delta').map((part) => (part as { text: string }).text.length)).toEqual([partBytes, partBytes, partBytes]);
    expect(view.end?.status).not.toBe('cancelled');
    expect(logger.lines.map((l) => l.message).join('\n')).not.toMatch(/stopped reading/);
  });

  test('a client that keeps reading a long, fast stream is not dropped', async () => {
    const { server, connect } = await setUp({ connection: { maxBufferedBytes: 2 * 1024 * 1024 }, partBytes: 16 * 1024 });
    const reader = await connect();
    const started = await reader.call('chat.send', chatInput);
    await waitUntil(() => reader.stream(started.streamId).parts.length >= 800, '800 parts (12.5 MB) read', 30_000);
    expect(reader.isClosed).toBe(false);
    await reader.call('stream.cancel', { streamId: started.streamId });
    expect((await reader.waitForEnd(started.streamId)).end?.status).toBe('cancelled');
    expect(server.peakBufferedBytes).toBeLessThanOrEqual(4 * 2 * 1024 * 1024 + 16 * 1024 + 1024);
  });
});

describe('a client that stops answering (heartbeat)', () => {
  test('a connection that does not answer pings is dropped and its stream cancelled; one that answers stays', async () => {
    // 500 ms: the healthy client shares this process (and, on CI, two cores) with a flooding stream, and must answer in time.
    const heartbeatMs = 500;
    const { floods, rpc, connect } = await setUp({ connection: { heartbeatMs } });
    const healthy = await connect();
    const dead = await connect({ autoPong: false });
    await dead.call('chat.send', { ...chatInput, text: 'slow' });
    await waitUntil(() => dead.isClosed, 'the dead connection to be dropped', 20_000);
    await waitUntil(() => floods[0]?.aborted === true, 'its stream to be cancelled', 20_000);
    await waitUntil(() => rpc.activeStreams === 0, 'no stream left running');
    await sleep(3 * heartbeatMs); // three more heartbeats
    expect(healthy.isClosed).toBe(false);
    expect(await healthy.request('app.notices', {})).toEqual({ ok: true, data: [] });
  });
});

describe('limits per connection', () => {
  test('requests beyond the open-request limit are answered TOO_MANY_OPEN at once; the rest are answered when done', async () => {
    const { connect } = await setUp({ rpc: { maxOpenRequests: 4 } });
    const client = await connect();
    // Requests on one socket are handled in order: the fifth arrives after the four took their slots.
    const hanging = Array.from({ length: 4 }, () => client.request('chats.list', {}));
    const extra = await client.request('chats.list', {});
    expect(extra).toMatchObject({ ok: false, error: { code: 'TOO_MANY_OPEN', retryable: true } });
    expect(!extra.ok && extra.error.message).toMatch(/4 requests waiting/);
    // Another connection has its own budget.
    const other = await connect();
    expect(await other.request('app.notices', {})).toEqual({ ok: true, data: [] });
    release();
    for (const result of await Promise.all(hanging)) expect(result).toEqual({ ok: true, data: [] });
    // Answered requests free their slots.
    expect(await client.request('app.notices', {})).toEqual({ ok: true, data: [] });
  });

  test('streams beyond the stream limit are refused with TOO_MANY_OPEN; stopping one frees a slot', async () => {
    const { connect, rpc } = await setUp({ rpc: { maxStreams: 2 }, partBytes: 16 });
    const client = await connect();
    const [a, b, c] = await Promise.all([client.request('chat.send', chatInput), client.request('chat.send', chatInput), client.request('chat.send', chatInput)]);
    const results = [a, b, c];
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'TOO_MANY_OPEN' }) })]);
    const first = results.find((r) => r.ok)!;
    if (!first.ok) throw new Error('unreachable');
    await client.call('stream.cancel', { streamId: (first.data as { streamId: string }).streamId });
    await waitUntil(() => rpc.activeStreams === 1, 'the stopped stream to end');
    expect((await client.request('chat.send', chatInput)).ok).toBe(true);
  });

  test('an ordinary request that takes too long is answered TIMEOUT with a clear message', async () => {
    const { connect } = await setUp({ rpc: { requestTimeoutMs: 150 } });
    const client = await connect();
    const began = Date.now();
    const result = await client.request('chats.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT', retryable: true } });
    expect(!result.ok && result.error.message).toMatch(/chats\.list did not answer within 0\.2 s/);
    expect(Date.now() - began).toBeLessThan(10_000);
    // The connection is fine afterwards.
    expect(await client.request('app.notices', {})).toEqual({ ok: true, data: [] });
  });
});

describe('who is the window', () => {
  test('the page this server served (it sends its Origin) is the window; a program without an Origin is not', async () => {
    const { server, connect, contexts } = await setUp();
    const page = await connect({ origin: `http://127.0.0.1:${server.port}` });
    const program = await connect();
    await page.call('app.notices', {});
    await program.call('app.notices', {});
    expect(contexts.map((c) => c.fromWindow)).toEqual([true, false]);
  });
});
