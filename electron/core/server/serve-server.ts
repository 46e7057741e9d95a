import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { TOKEN_QUERY_PARAM, WS_PATH, type ServerMessage } from '../../../shared/ipc/wire';
import type { Logger } from '../app/logger';
import type { RpcDispatcher } from '../rpc/rpc-dispatcher';
import type { ApiHandler } from './api/api-handler';
import { serveStatic } from './static-files';
import { hostsForBinding, isAllowedHost, isAllowedOrigin, tokensEqual } from './security';

export interface ServeServerOptions {
  rpc: RpcDispatcher;
  logger: Logger;
  token: string;
  host: string;
  port: number;
  /** Folder with the built renderer (index.html); null serves no UI (API-only uses). */
  staticDir: string | null;
  /** Tandem's API (/v1/…, /mcp) on this same port (`tandem serve --api`); its requests take any method. */
  api?: ApiHandler;
}

export interface ServeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Serve mode's transport: the renderer over HTTP and the contract over a
 * WebSocket, both on loopback. The socket needs the per-launch token and, from
 * a browser, an Origin of this very server.
 */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const { rpc, logger, token } = options;
  let hosts = new Set<string>();
  const server: Server = createServer((request, response) => {
    if (!isAllowedHost(request.headers.host, hosts)) {
      response.writeHead(421, { 'Content-Type': 'text/plain' });
      response.end('Unknown host');
      return;
    }
    if (options.api?.handles(request)) {
      void options.api.handle(request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (!options.staticDir) {
      response.writeHead(404);
      response.end();
      return;
    }
    void serveStatic(options.staticDir, request.url ?? '/', response);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const reject = (status: number, reason: string) => {
      logger.warn(`refused a WebSocket connection: ${reason}`);
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(request.url ?? '/', 'http://placeholder');
    if (url.pathname !== WS_PATH) return reject(404, 'Not Found');
    if (!isAllowedHost(request.headers.host, hosts)) return reject(421, 'Misdirected Request');
    if (!isAllowedOrigin(request.headers.origin, hosts)) return reject(403, 'Forbidden');
    if (!tokensEqual(token, url.searchParams.get(TOKEN_QUERY_PARAM))) return reject(401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    const client = {
      id: `ws-${randomUUID()}`,
      send: (message: ServerMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
    };
    const detach = rpc.attach(client);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        client.send({ type: 'response', id: -1, result: { ok: false, error: { code: 'BAD_MESSAGE', message: 'Binary frames are not accepted', retryable: false } } });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        client.send({ type: 'response', id: -1, result: { ok: false, error: { code: 'BAD_MESSAGE', message: 'Messages must be JSON', retryable: false } } });
        return;
      }
      void rpc.handleMessage(parsed, client);
    });
    ws.on('close', detach);
    ws.on('error', (error) => logger.warn(`WebSocket error: ${error.message}`));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = hostsForBinding(options.host, port);
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${displayHost}:${port}/?${TOKEN_QUERY_PARAM}=${token}`,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
