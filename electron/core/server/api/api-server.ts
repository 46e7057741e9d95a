import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { listen } from '../listen';
import { notFound, type ApiHandler } from './api-handler';

export interface ApiServer {
  /** `http://HOST:PORT/v1` */
  url: string;
  port: number;
  /** Closes the handler (cancelling answers in progress), then the server and its connections. */
  close(): Promise<void>;
}

/**
 * The standalone API server: a plain HTTP server on host:port that sends
 * every request to the handler (OpenAI-style 404 for paths outside the API).
 * Port 0 picks a free port.
 */
export async function startApiServer(options: { handler: ApiHandler; host: string; port: number }): Promise<ApiServer> {
  const { handler } = options;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (handler.handles(req)) void handler.handle(req, res);
    else notFound(res);
  });
  // Generations can take minutes; the request itself (headers and body) still has to arrive promptly.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":{"message":"Bad request","type":"invalid_request_error","param":null,"code":null}}');
    else socket.destroy();
  });
  const port = await listen(server, options.port, options.host);
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${displayHost}:${port}/v1`,
    port,
    close: () => {
      closed ??= (async () => {
        await handler.close();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Streams still open after the handler cancelled them (an MCP event stream): cut them.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 200).unref();
        await done;
      })();
      return closed;
    },
  };
}
