import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModelContext } from '../../../../shared/ipc/routes/api';
import type { Core } from '../../app/create-core';
import { buildModelContexts } from '../model-context';
import { isAllowedHost, isAllowedOrigin } from '../security';
import { ApiError, anthropicErrorBody, openAIErrorBody } from './api-errors';
import { isRefusal, type ApiCaller, type ApiGate, type ApiReservation } from './api-gate';
import type { GenerateRequest } from '../../models/language-model';
import { requestPromptTokens } from '../../providers/token-estimate';
import { NO_ROUTE_CONTEXT } from '../../routing/routing-service';
import { FailedAuthLimiter, isLoopbackAddress } from './failed-auth';
import { anthropicCountTokens, anthropicMessages } from './anthropic-messages';
import { chatCompletions, completions } from './chat-completions';
import { embeddings } from './embeddings';
import type { Endpoint, EndpointContext } from './endpoint';
import { readJsonBody, sendJson } from './http-io';
import { ApiModelList, listModels } from './models-endpoint';
import { turnRecord, type ModelTurn } from './model-turn';
import { ResponseStore } from './response-store';
import { responses } from './responses';

/** Tandem's HTTP API as a request handler: mounted by the standalone API server and by serve mode. */
export interface ApiHandler {
  /** Whether the request is for the API: its path starts with /v1/ or is /mcp. */
  handles(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Cancels answers in progress, refuses new requests (503) and closes the MCP handler. Idempotent. */
  close(): Promise<void>;
}

/** The MCP server over streamable HTTP (the MCP module's McpHttpHandler): called after the key was checked. */
export interface McpEndpoint {
  /** Records each tool call itself (ApiService passes it the gate's `record`); refusals before it are recorded here. */
  handle(req: IncomingMessage, res: ServerResponse, caller: ApiCaller): Promise<void>;
  close(): Promise<void>;
}

export interface ApiHandlerOptions {
  core: Core;
  gate: ApiGate;
  mcp?: McpEndpoint | null;
  /** Origins allowed by CORS, read on every request; empty: CORS off. `*` allows any origin. */
  corsOrigins: () => string[];
  /** The Host headers this server answers to (DNS-rebinding protection). */
  allowedHosts: () => Set<string>;
  /** The `tandem` extension of GET /v1/models (default: buildModelContexts); null leaves the field out. */
  modelContexts?: ((core: Core) => Promise<ModelContext[]>) | null;
  /**
   * Failed key attempts allowed per remote address and minute; past it the
   * address gets 429 with Retry-After without its key being checked.
   * Loopback addresses are exempt unless `exemptLoopback` is false (default:
   * 20 a minute, loopback exempt); null: no limit.
   */
  failedAuth?: { perMinute: number; exemptLoopback?: boolean } | null;
}

const POST_ENDPOINTS: Record<string, Endpoint> = {
  '/v1/chat/completions': chatCompletions,
  '/v1/completions': completions,
  '/v1/embeddings': embeddings,
  '/v1/responses': responses,
  '/v1/messages': anthropicMessages,
  '/v1/messages/count_tokens': anthropicCountTokens,
};

const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, X-Api-Key, Anthropic-Version, Anthropic-Beta, OpenAI-Beta, OpenAI-Organization, OpenAI-Project, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, X-Stainless-Lang, X-Stainless-Package-Version, X-Stainless-OS, X-Stainless-Arch, X-Stainless-Runtime, X-Stainless-Runtime-Version, X-Stainless-Retry-Count, X-Stainless-Timeout, X-Stainless-Helper-Method';
const CORS_EXPOSE_HEADERS = 'x-tandem-route, x-tandem-model, x-tandem-cache, Retry-After, Mcp-Session-Id';
/** How long close() waits for answers in progress to wind down after cancelling them. */
const CLOSE_WAIT_MS = 5000;

function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://placeholder').pathname;
  } catch {
    return null;
  }
}

function bearerOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1]!;
  }
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) return key.trim();
  return null;
}

function normalizedOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/**
 * Tandem's OpenAI- and Anthropic-compatible API over the router, and the
 * door to the MCP server at /mcp. Every request passes, in order: the Host
 * check (421), the Origin check (403; CORS only for allow-listed origins),
 * the key (401), the key's limits (429 with Retry-After); then the endpoint
 * validates its body (400 naming the parameter, 413 when too large). Each
 * finished request is recorded with the gate (status, model that answered,
 * tokens, cost, duration). A client that disconnects cancels its answer.
 */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const { core, gate } = options;
  const contexts = options.modelContexts === undefined ? buildModelContexts : options.modelContexts;
  const models = new ApiModelList(core, contexts ? () => contexts(core) : null);
  const store = new ResponseStore();
  const failedAuth = options.failedAuth === null ? null : new FailedAuthLimiter(options.failedAuth?.perMinute ?? 20);
  const exemptLoopback = options.failedAuth?.exemptLoopback ?? true;
  const inflight = new Set<{ controller: AbortController; done: Promise<void> }>();
  let closing = false;
  let closed: Promise<void> | null = null;

  const handles = (req: IncomingMessage): boolean => {
    const path = pathOf(req);
    return path !== null && (path.startsWith('/v1/') || path === '/v1' || path === '/mcp');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const path = pathOf(req) ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const anthropic = path === '/v1/messages' || path.startsWith('/v1/messages/');
    const endpoint = `${method} ${path.length > 200 ? `${path.slice(0, 200)}...` : path}`;
    const controller = new AbortController();
    let caller: ApiCaller | null = null;
    let turn = null as ModelTurn | null;
    let usage = null as { model: string; inputTokens: number; outputTokens: number; costUsd: number } | null;
    let recorded = false;
    let skipRecord = false;
    /** Refused before any work (bad key, Host, Origin, limits): logged in memory only. */
    let refusedAtDoor = false;
    let reservation: ApiReservation | null = null;
    const record = () => {
      if (recorded || skipRecord) return;
      recorded = true;
      reservation?.release();
      const used = usage ?? turnRecord(turn);
      // A stream that failed after its headers is logged with the failure's status, not the 200 it started with.
      const failure = turn?.failure ?? null;
      const status = res.headersSent ? (failure ? failure.status : res.statusCode) : controller.signal.aborted ? 499 : res.statusCode;
      try {
        gate.record(caller, {
          at: new Date().toISOString(),
          endpoint,
          model: used.model,
          inputTokens: Math.max(0, Math.round(used.inputTokens)),
          outputTokens: Math.max(0, Math.round(used.outputTokens)),
          costUsd: Math.max(0, used.costUsd),
          status,
          durationMs: Math.max(0, performance.now() - started),
        }, refusedAtDoor ? { persist: false } : undefined);
      } catch {
        // The log is not worth failing a request for.
      }
    };
    let handlerDone = false;
    let responseClosed = false;
    res.on('close', () => {
      responseClosed = true;
      if (!res.writableFinished) controller.abort();
      // A disconnect is recorded once the answer has wound down (with what it used).
      if (handlerDone) record();
    });
    let baseHeaders: Record<string, string> = {};
    const fail = (error: ApiError) => {
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
        return;
      }
      const headers: Record<string, string> = { ...baseHeaders };
      if (error.retryAfterSeconds !== null) headers['Retry-After'] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
      if (error.status === 401) headers['WWW-Authenticate'] = anthropic ? 'x-api-key' : 'Bearer';
      if (error.status === 413) headers.Connection = 'close';
      sendJson(res, error.status === 499 ? 400 : error.status, anthropic ? anthropicErrorBody(error) : openAIErrorBody(error), headers);
    };
    let finished!: () => void;
    const entry = { controller, done: new Promise<void>((resolve) => (finished = resolve)) };
    inflight.add(entry);
    const remote = req.socket.remoteAddress ?? 'unknown';
    try {
      refusedAtDoor = true;
      if (closing) throw new ApiError(503, 'The API server is shutting down.', 'server_error', 'shutting_down');
      if (!isAllowedHost(req.headers.host, options.allowedHosts())) {
        throw new ApiError(421, 'Unknown Host header: this server answers only to its own address (DNS-rebinding protection).', 'invalid_request_error', 'misdirected_request');
      }
      const origin = req.headers.origin;
      if (typeof origin === 'string') {
        const listed = options.corsOrigins().map(normalizedOrigin);
        const allowListed = listed.includes('*') || listed.includes(normalizedOrigin(origin));
        if (allowListed) {
          baseHeaders = { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS, Vary: 'Origin' };
        } else if (!isAllowedOrigin(origin, options.allowedHosts())) {
          throw new ApiError(403, `Origin ${origin.slice(0, 200)} is not allowed: add it to the API's CORS origins.`, 'permission_error', 'origin_not_allowed');
        }
      }
      if (method === 'OPTIONS') {
        skipRecord = true;
        const headers: Record<string, string> = { ...baseHeaders, Allow: 'GET, POST, DELETE, OPTIONS' };
        if (baseHeaders['Access-Control-Allow-Origin']) {
          headers['Access-Control-Allow-Methods'] = 'GET, POST, DELETE, OPTIONS';
          headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
          headers['Access-Control-Max-Age'] = '600';
        }
        res.writeHead(204, headers);
        res.end();
        return;
      }
      const limited = failedAuth && !(exemptLoopback && isLoopbackAddress(remote)) ? failedAuth : null;
      const wait = limited?.blockedFor(remote) ?? null;
      if (wait !== null) {
        throw new ApiError(429, `Too many failed API key attempts from this address; try again in ${wait} s.`, 'rate_limit_error', 'too_many_failed_attempts', null, wait);
      }
      caller = gate.authenticate(bearerOf(req));
      if (!caller) {
        limited?.fail(remote);
        throw new ApiError(401, 'Incorrect or missing API key. Send it as "Authorization: Bearer KEY" (or "x-api-key: KEY").', anthropic ? 'authentication_error' : 'invalid_request_error', 'invalid_api_key');
      }
      const refusal = gate.admit(caller);
      if (refusal) {
        throw new ApiError(429, refusal.message, refusal.kind === 'quota' ? 'insufficient_quota' : 'rate_limit_error', refusal.kind === 'quota' ? 'quota_exceeded' : 'rate_limit_exceeded', null, refusal.retryAfterSeconds);
      }
      refusedAtDoor = false;
      if (path === '/mcp') {
        if (!options.mcp) throw new ApiError(404, 'The MCP server is not enabled here.', 'invalid_request_error', 'not_found');
        inflight.delete(entry);
        finished();
        // Past the door, the MCP handler records each tool call itself (with its model, tokens and cost).
        skipRecord = true;
        // CORS for allow-listed origins (Mcp-Session-Id exposed) on whatever the MCP handler answers.
        for (const [name, value] of Object.entries(baseHeaders)) res.setHeader(name, value);
        await options.mcp.handle(req, res, caller);
        return;
      }
      const context: EndpointContext = {
        core,
        req,
        res,
        caller,
        signal: controller.signal,
        body: () => readJsonBody(req),
        baseHeaders,
        track: (t) => {
          turn = t;
          const who = caller!;
          if (!gate.reserve) return;
          // Once the model id is checked: hold the request's worst case against the key's daily quotas (settled on record).
          t.beforeOpen = async (opened) => {
            const result = await gate.reserve!(who, {
              maxTokens: opened.request.maxTokens ?? core.settings.get().maxTokens,
              promptTokens: promptEstimate(opened.request),
              estimateCostUsd: async () => (await core.routing.estimate(promptText(opened.request), opened.requestedModel, NO_ROUTE_CONTEXT)).estimatedCostUsd,
            });
            if (isRefusal(result)) throw new ApiError(429, result.message, 'insufficient_quota', 'quota_exceeded', null, result.retryAfterSeconds);
            reservation = result;
            if (result.maxTokens < (opened.request.maxTokens ?? Number.POSITIVE_INFINITY)) opened.request.maxTokens = result.maxTokens;
          };
        },
        recordUsage: (u) => (usage = { model: u.model, inputTokens: u.inputTokens, outputTokens: u.outputTokens ?? 0, costUsd: u.costUsd ?? 0 }),
        responses: store,
      };
      const modelPath = /^\/v1\/models(?:\/(.+))?$/.exec(path);
      if (modelPath) {
        if (method !== 'GET') throw new ApiError(405, `${method} is not allowed on ${path}; use GET.`, 'invalid_request_error', 'method_not_allowed');
        let id: string | null = null;
        if (modelPath[1] !== undefined) {
          try {
            id = decodeURIComponent(modelPath[1]);
          } catch {
            throw new ApiError(400, 'The model id in the path is not valid URL encoding.', 'invalid_request_error', 'invalid_value', 'model');
          }
        }
        await listModels(context, models, id);
        return;
      }
      const post = Object.hasOwn(POST_ENDPOINTS, path) ? POST_ENDPOINTS[path] : undefined;
      if (!post) throw new ApiError(404, `Unknown endpoint ${method} ${path.slice(0, 200)}.`, 'invalid_request_error', 'unknown_url');
      if (method !== 'POST') throw new ApiError(405, `${method} is not allowed on ${path}; use POST.`, 'invalid_request_error', 'method_not_allowed');
      try {
        await post(context);
      } finally {
        await turn?.close();
      }
    } catch (error) {
      if (error instanceof ApiError) fail(error);
      else fail(new ApiError(500, `The server had an error while processing your request: ${(error as Error)?.message ?? String(error)}`, 'server_error', 'internal_error'));
    } finally {
      inflight.delete(entry);
      finished();
      handlerDone = true;
      if (responseClosed || res.writableEnded) record();
    }
  };

  return {
    handles,
    handle: (req, res) =>
      handle(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, openAIErrorBody(new ApiError(500, 'The server had an error while processing your request.')));
        else res.end();
      }),
    close: () => {
      closed ??= (async () => {
        closing = true;
        const pending = [...inflight];
        for (const entry of pending) entry.controller.abort();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(pending.map((e) => e.done)), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
        clearTimeout(timer);
        store.clear();
        await options.mcp?.close().catch(() => undefined);
      })();
      return closed;
    },
  };
}

const toolText = (result: unknown): string => (typeof result === 'string' ? result : (JSON.stringify(result) ?? ''));

/** The prompt's text, for a cost estimate (bounded: an estimate needs no more). */
function promptText(request: GenerateRequest): string {
  const parts = [request.systemPrompt ?? ''];
  for (const m of request.messages) parts.push(m.role === 'tool' ? toolText(m.result) : m.text);
  const text = parts.join('\n');
  return text.length > 400_000 ? text.slice(0, 400_000) : text;
}

/** The prompt's tokens for a quota hold: counted for ordinary prompts, estimated from length for huge ones (no long tokenizing). */
function promptEstimate(request: GenerateRequest): number {
  let chars = (request.systemPrompt ?? '').length;
  for (const m of request.messages) chars += m.role === 'tool' ? toolText(m.result).length : m.text.length;
  if (request.tools) chars += JSON.stringify(request.tools).length;
  return chars <= 100_000 ? requestPromptTokens(request) : Math.ceil(chars / 3);
}

/** The answer for a path that is not the API's (standalone server only). */
export function notFound(res: ServerResponse): void {
  sendJson(res, 404, openAIErrorBody(new ApiError(404, 'Not found. The API is under /v1.', 'invalid_request_error', 'unknown_url')));
}
