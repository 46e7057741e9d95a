import type * as Http from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { describe, expect, test, vi } from 'vitest';
import { LoopbackRedirect } from '../../electron/core/mcp/auth/loopback-redirect';

/** Every HTTP server the flow creates (its redirect listener), to see whether one is still listening. */
const created = vi.hoisted(() => [] as HttpServer[]);
vi.mock('node:http', async (importOriginal) => {
  const http = await importOriginal<typeof Http>();
  const createServerSpy = ((...args: Parameters<typeof http.createServer>) => {
    const server = http.createServer(...args);
    created.push(server);
    return server;
  }) as typeof http.createServer;
  return { ...http, default: { ...http, createServer: createServerSpy }, createServer: createServerSpy };
});

/** How many of the flow listeners created since `from` (an index into `created`) still listen. */
const listeners = (from: number) => created.slice(from).filter((server) => server.listening).length;

/** Polls until `check` holds (a loaded machine may need a moment), else fails with `what`. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Fails instead of hanging when `promise` does not settle within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function occupy(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('LoopbackRedirect (the sign-in redirect listener)', () => {
  test('close() right after listen(): listen rejects CANCELLED promptly and the port is let go', async () => {
    const mark = created.length;
    const probe = await occupy();
    const port = (probe.address() as { port: number }).port;
    await closeServer(probe);

    const flow = new LoopbackRedirect(60_000);
    const listening = flow.listen(port);
    flow.close('Signed out');
    await expect(within(listening, 3000, 'listen()')).rejects.toMatchObject({ code: 'CANCELLED', message: 'Signed out' });
    await expect(flow.code).rejects.toThrow('Signed out');
    expect(flow.closed).toBe(true);
    await eventually(() => listeners(mark) === 0, 'the flow listener is closed');
    // The port asked for is free again (the next flow can take it).
    await eventually(() => occupy(port).then(closeServer).then(() => true, () => false), `port ${port} is free`);
  });

  test('close() while the asked-for port is being retried: no listener is opened later and listen rejects', async () => {
    const mark = created.length;
    const taken = await occupy();
    const port = (taken.address() as { port: number }).port;
    try {
      const flow = new LoopbackRedirect(60_000);
      const listening = flow.listen(port);
      listening.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 60)); // a retry or two in
      flow.close();
      await expect(within(listening, 3000, 'listen()')).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(flow.url).toBe('');
      // Past every retry the old code made (5 × 40 ms) and its fall-back to any port: still nothing listening.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(listeners(mark)).toBe(0);
    } finally {
      await closeServer(taken);
    }
  });

  test('listen() after close() rejects at once', async () => {
    const flow = new LoopbackRedirect(60_000);
    flow.close();
    await expect(within(flow.listen(), 1000, 'listen()')).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  test('a redirect with the expected state hands over the code and closes the listener', async () => {
    const mark = created.length;
    const flow = new LoopbackRedirect(60_000);
    const url = await within(flow.listen(), 3000, 'listen()');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    flow.expectState('s1');
    const wrong = await fetch(`${url}?code=c0&state=other`);
    expect(wrong.status).toBe(400);
    await wrong.text();
    const page = await fetch(`${url}?code=c1&state=s1`);
    expect(await page.text()).toContain('Tandem is signed in');
    await expect(flow.code).resolves.toBe('c1');
    await eventually(() => listeners(mark) === 0, 'the flow listener is closed');
  });
});
