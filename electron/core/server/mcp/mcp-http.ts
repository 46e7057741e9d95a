import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Core } from '../../app/create-core';
import type { ApiCaller, ApiRequestRecord } from '../api/api-gate';
import { isAllowedHost } from '../security';
import { PromptingStore } from './prompting-store';
import { createTandemMcpServer } from './tandem-mcp-server';

/** Streamable HTTP at `/mcp`; the API handler authenticates the caller first. */
export interface McpHttpHandler {
  /**
   * Answers one HTTP request to `/mcp` (POST, GET for the server's stream,
   * DELETE to end a session). `parsedBody`: the JSON body when the caller
   * has read it already; otherwise it is read here (at most 4 MiB).
   */
  handle(req: IncomingMessage, res: ServerResponse, caller: ApiCaller, parsedBody?: unknown): Promise<void>;
  /** Ends every session. */
  close(): Promise<void>;
}

export interface McpHttpOptions {
  /** `host:port` values the server answers to (Host header), against DNS rebinding. */
  allowedHosts: () => Set<string>;
  /** Origins (`http://host:port`) a browser may call from; a request without Origin is not a browser's. */
  allowedOrigins: () => Set<string>;
  /** Each tool call, for the request log ("MCP tools/call NAME", model, tokens, cost). */
  record?: (caller: ApiCaller, entry: ApiRequestRecord) => void;
  /** Sessions kept at once; past it the least recently used is ended (default 64). */
  maxSessions?: number;
  /** Sessions one key may hold; past it that key's least recently used one is ended (default 16), so one key cannot end the others'. */
  maxSessionsPerKey?: number;
  /** A session unused this long ends (default 30 minutes). */
  sessionIdleMs?: number;
  version?: string;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  caller: ApiCaller;
  lastUsed: number;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Tandem's MCP server over streamable HTTP, with a session per client
 * (`Mcp-Session-Id`, bound to the key that opened it) and one McpServer per
 * session. Host and Origin are checked before anything else: a page whose
 * name resolves to 127.0.0.1 (DNS rebinding) or another origin in a browser
 * gets 403, whatever key it has.
 */
export function createMcpHttpHandler(core: Core, options: McpHttpOptions): McpHttpHandler {
  const sessions = new Map<string, Session>();
  const prompting = new PromptingStore(core.layout.root);
  const maxSessions = options.maxSessions ?? 64;
  const maxPerKey = options.maxSessionsPerKey ?? 16;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  let closed = false;

  const endSession = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch(() => undefined);
  };

  const oldestOf = (keyId: string | null): string | null => {
    let oldest: [string, Session] | null = null;
    for (const entry of sessions) {
      if (keyId !== null && entry[1].caller.keyId !== keyId) continue;
      if (!oldest || entry[1].lastUsed < oldest[1].lastUsed) oldest = entry;
    }
    return oldest ? oldest[0] : null;
  };

  /** Ends sessions idle for longer than `idleMs` (checked on every request and every minute). */
  const expireIdle = async () => {
    const cutoff = Date.now() - idleMs;
    await Promise.all([...sessions].filter(([, session]) => session.lastUsed < cutoff).map(([id]) => endSession(id)));
  };
  const sweeper = setInterval(() => void expireIdle(), Math.min(60_000, Math.max(1000, idleMs)));
  sweeper.unref?.();

  const evictIfFull = async (caller: ApiCaller) => {
    // A key's own sessions first: one key cannot push out the others'.
    for (;;) {
      let own = 0;
      for (const session of sessions.values()) if (session.caller.keyId === caller.keyId) own++;
      const id = own >= maxPerKey ? oldestOf(caller.keyId) : null;
      if (!id) break;
      await endSession(id);
    }
    while (sessions.size >= maxSessions) {
      const id = oldestOf(null);
      if (!id) return;
      await endSession(id);
    }
  };

  const openSession = async (caller: ApiCaller): Promise<StreamableHTTPServerTransport> => {
    await evictIfFull(caller);
    const server = createTandemMcpServer(core, {
      prompting,
      version: options.version,
      onToolCall: options.record
        ? (call) =>
            options.record!(caller, {
              at: new Date().toISOString(),
              endpoint: `MCP tools/call ${call.tool}`,
              model: call.model,
              inputTokens: call.inputTokens,
              outputTokens: call.outputTokens,
              costUsd: call.costUsd,
              status: call.ok ? 200 : 500,
              durationMs: call.durationMs,
            })
        : undefined,
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, caller, lastUsed: Date.now() });
      },
      onsessionclosed: (id) => {
        void endSession(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  };

  return {
    async handle(req, res, caller, parsedBody) {
      if (closed) return reply(res, 503, 'The MCP server is shutting down');
      if (!isAllowedHost(req.headers.host, options.allowedHosts())) return reply(res, 403, 'Forbidden: this Host is not allowed (DNS rebinding protection)');
      if (!originAllowed(req.headers.origin, options.allowedOrigins(), options.allowedHosts())) {
        return reply(res, 403, 'Forbidden: this Origin is not allowed');
      }
      await expireIdle();
      const sessionId = header(req, 'mcp-session-id');
      if (sessionId !== undefined) {
        const session = sessions.get(sessionId);
        // Another key's session is answered as unknown: ids do not leak across keys.
        if (!session || session.caller.keyId !== caller.keyId) return reply(res, 404, 'Session not found: start a new one with initialize');
        session.lastUsed = Date.now();
        if (req.method !== 'POST') return session.transport.handleRequest(req, res);
        const body = await bodyOf(req, parsedBody).catch((error: Error) => error);
        if (body instanceof Error) return reply(res, (body as { status?: number }).status ?? 400, body.message, -32700);
        cancelOnDisconnect(res, session.transport, body);
        return session.transport.handleRequest(req, res, body);
      }
      if (req.method !== 'POST') return reply(res, 400, 'Bad Request: Mcp-Session-Id header is required');
      const body = await bodyOf(req, parsedBody).catch((error: Error) => error);
      if (body instanceof Error) return reply(res, (body as { status?: number }).status ?? 400, body.message, -32700);
      if (!isInitialize(body)) return reply(res, 400, 'Bad Request: no valid session id; start with initialize');
      const transport = await openSession(caller);
      await transport.handleRequest(req, res, body);
    },
    async close() {
      closed = true;
      clearInterval(sweeper);
      await Promise.all([...sessions.keys()].map((id) => endSession(id)));
    },
  };
}

/**
 * A client that drops its connection before its answer cancels the requests
 * of that POST: the SDK aborts a tool's signal only on notifications/cancelled,
 * so one is delivered to the transport for each request id of the body.
 */
function cancelOnDisconnect(res: ServerResponse, transport: StreamableHTTPServerTransport, body: unknown): void {
  const messages = Array.isArray(body) ? body : [body];
  const ids: (string | number)[] = [];
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) continue;
    const { id, method } = m as { id?: unknown; method?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  if (ids.length === 0) return;
  res.on('close', () => {
    if (res.writableFinished) return;
    for (const requestId of ids) {
      try {
        transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'The client disconnected' } });
      } catch {
        // The session may be gone already.
      }
    }
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** No Origin: not a browser. Else one of the allowed origins, or the server's own (an allowed Host over http/https). */
export function originAllowed(origin: string | undefined, origins: Set<string>, hosts: Set<string>): boolean {
  if (origin === undefined) return true;
  const normalised = origin.toLowerCase().replace(/\/$/, '');
  if ([...origins].some((o) => o.toLowerCase().replace(/\/$/, '') === normalised)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && hosts.has(url.host.toLowerCase());
  } catch {
    return false;
  }
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize');
}

/** A JSON-RPC error answer outside any session (status and message for the client). */
function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

async function bodyOf(req: IncomingMessage, parsedBody: unknown): Promise<unknown> {
  if (parsedBody !== undefined) return parsedBody;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('Request body too large (over 4 MiB)'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('Parse error: the body is not JSON'), { status: 400 });
  }
}
