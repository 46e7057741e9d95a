import { randomUUID } from 'node:crypto';
import { contract, isRouteName, type EventName, type EventPayload, type RouteName } from '../../../shared/ipc/contract';
import { CodedError, toTandemError, type TandemError } from '../../../shared/ipc/errors';
import { fail, ok, type Result } from '../../../shared/ipc/result';
import { ClientMessageSchema, type ServerMessage, type StreamMessage } from '../../../shared/ipc/wire';
import type { Logger } from '../app/logger';
import type { Handlers, RequestContext, StreamStartResult } from './handlers';
import { DEFAULT_COALESCE_MS, PartCoalescer } from './part-coalescer';

/** A connected client (a window over IPC, a browser tab over WebSocket): where its messages go. */
export interface RpcClient {
  readonly id: string;
  /**
   * Whether this client is the user's window: the desktop window over IPC, or
   * in serve mode the page this server served (a browser sends its Origin).
   * Anything else (a program on the WebSocket with no Origin) is 'client'
   * (the default): it may not start what only the user should allow (a stdio
   * MCP server it added, a provider key read from an arbitrary variable).
   *
   * This is a real boundary only in the desktop app, where the IPC client is
   * the window itself. In serve mode it is not: any program holding the serve
   * token can send an Origin header and is then treated exactly like the page.
   * There the rule only stops careless programs (scripts that connect without
   * an Origin); the token is what protects serve mode.
   */
  readonly trust?: 'window' | 'client';
  send(message: ServerMessage): void;
}

interface ActiveStream {
  clientId: string;
  controller: AbortController;
}

/** What one client may hold open at once, and how long an ordinary request may take. */
export interface RpcLimits {
  /** Requests of one client not yet answered; one more is answered TOO_MANY_OPEN at once. */
  maxOpenRequests: number;
  /** Streams of one client still running; one more is refused with TOO_MANY_OPEN. */
  maxStreams: number;
  /** An ordinary (non-stream) request not answered by then is answered TIMEOUT (its work may still finish). */
  requestTimeoutMs: number;
  /** Longer limits for routes that wait on slow work (loading a model, a tool call) or on a person (a folder dialog, a login). */
  routeTimeoutsMs: Partial<Record<RouteName, number>>;
}

const MINUTE = 60_000;
export const DEFAULT_RPC_LIMITS: RpcLimits = {
  maxOpenRequests: 128,
  maxStreams: 32,
  requestTimeoutMs: 2 * MINUTE,
  routeTimeoutsMs: {
    'models.load': 30 * MINUTE,
    'models.import': 30 * MINUTE,
    'collections.add': 10 * MINUTE,
    'collections.export': 10 * MINUTE,
    'mcp.callTool': 30 * MINUTE,
    'mcp.readResource': 10 * MINUTE,
    'mcp.getPrompt': 10 * MINUTE,
    'mcp.restart': 10 * MINUTE,
    'providers.test': 10 * MINUTE,
    'soup.ask': 10 * MINUTE,
    'soup.hint': 10 * MINUTE,
    'soup.guess': 10 * MINUTE,
    'soup.games.start': 10 * MINUTE,
    'lab.sets.import': 10 * MINUTE,
    'route.learn': 10 * MINUTE,
    // May load an embedding model first, or read a scanned page.
    'documents.search': 10 * MINUTE,
    'documents.view': 10 * MINUTE,
    'route.decide': 10 * MINUTE,
    'route.estimate': 10 * MINUTE,
    'lab.estimate': 10 * MINUTE,
    'collections.reindex': 10 * MINUTE,
    'collections.remove': 10 * MINUTE,
    'models.remove': 10 * MINUTE,
    'models.unload': 10 * MINUTE,
    'documents.pickFolder': 60 * MINUTE,
    'mcp.login': 60 * MINUTE,
  },
};

/**
 * The contract's dispatcher (IPC and WebSocket alike). Looks a route up, validates its input, dispatches to a handler, and always
 * answers a Result: nothing throws across the boundary. Also runs streams
 * (ids, sequence numbers, one final `end`, cancellation) and broadcasts events.
 */
export class RpcDispatcher {
  private readonly clients = new Map<string, RpcClient>();
  private readonly streams = new Map<string, ActiveStream>();
  /** Streams started or starting, per client. */
  private readonly streamSlots = new Map<string, number>();
  /** Requests not yet answered, per client. */
  private readonly openRequests = new Map<string, number>();
  private readonly limits: RpcLimits;

  constructor(
    private readonly handlers: Handlers,
    private readonly logger: Logger,
    /** Window within which consecutive text deltas are merged into one message (0 sends every part alone). */
    private readonly coalesceMs = DEFAULT_COALESCE_MS,
    limits: Partial<RpcLimits> = {},
  ) {
    this.limits = { ...DEFAULT_RPC_LIMITS, ...limits };
  }

  /** Registers a client for events and streams; the returned function detaches it and cancels its streams. */
  attach(client: RpcClient): () => void {
    this.clients.set(client.id, client);
    return () => {
      this.clients.delete(client.id);
      for (const [streamId, stream] of this.streams) {
        if (stream.clientId === client.id) {
          stream.controller.abort();
          this.streams.delete(streamId);
        }
      }
    };
  }

  /** Handles a raw transport message (already JSON-decoded); answers through `client.send`. */
  async handleMessage(raw: unknown, client: RpcClient): Promise<void> {
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
      client.send({
        type: 'response',
        id,
        result: fail({ code: 'BAD_MESSAGE', message: 'Not a valid request envelope', retryable: false }),
      });
      return;
    }
    const { id, route, input } = parsed.data;
    const open = this.openRequests.get(client.id) ?? 0;
    if (open >= this.limits.maxOpenRequests) {
      client.send({
        type: 'response',
        id,
        result: fail({
          code: 'TOO_MANY_OPEN',
          message: `This connection already has ${open} requests waiting for an answer (the limit is ${this.limits.maxOpenRequests}); wait for some to finish`,
          retryable: true,
        }),
      });
      return;
    }
    this.openRequests.set(client.id, open + 1);
    let result: Result<unknown>;
    try {
      result = await this.request(route, input, client);
    } finally {
      const left = (this.openRequests.get(client.id) ?? 1) - 1;
      if (left > 0) this.openRequests.set(client.id, left);
      else this.openRequests.delete(client.id);
    }
    client.send({ type: 'response', id, result });
  }

  /** Looks up, validates and dispatches one request. Stream routes start their stream after answering. */
  async request(route: unknown, input: unknown, client: RpcClient): Promise<Result<unknown>> {
    try {
      if (!isRouteName(route)) {
        return fail({ code: 'UNKNOWN_ROUTE', message: `Unknown route: ${String(route).slice(0, 100)}`, retryable: false });
      }
      const def = contract[route];
      const parsedInput = def.input.safeParse(input);
      if (!parsedInput.success) {
        return fail({
          code: 'INVALID_INPUT',
          message: `Invalid input for ${route}: ${parsedInput.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
          retryable: false,
          details: parsedInput.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        });
      }
      if (route === 'stream.cancel') {
        return ok(this.cancel((parsedInput.data as { streamId: string }).streamId, client.id));
      }
      const context: RequestContext = { clientId: client.id, fromWindow: client.trust === 'window' };
      if (def.kind === 'stream') {
        // A slot is taken before the handler is awaited, so requests racing for the last one cannot both get it.
        const running = this.streamSlots.get(client.id) ?? 0;
        if (running >= this.limits.maxStreams) {
          return fail({
            code: 'TOO_MANY_OPEN',
            message: `This connection already has ${running} streams running (the limit is ${this.limits.maxStreams}); stop one first`,
            retryable: true,
          });
        }
        const handler = this.handlers[route as keyof Handlers] as unknown as (
          input: unknown,
          context: RequestContext,
        ) => Promise<StreamStartResult<unknown, unknown>>;
        this.streamSlots.set(client.id, running + 1);
        let started: StreamStartResult<unknown, unknown>;
        try {
          started = await handler(parsedInput.data, context);
        } catch (error) {
          this.releaseStreamSlot(client.id);
          throw error;
        }
        return ok(this.startStream(route, started, client));
      }
      const handler = this.handlers[route as keyof Handlers] as unknown as (input: unknown, context: RequestContext) => unknown;
      const output = await this.withTimeout(route, Promise.resolve(handler(parsedInput.data, context)));
      const checked = def.output.safeParse(output);
      if (!checked.success) {
        this.logger.error(`handler for ${route} returned output that breaks the contract: ${checked.error.message}`);
        return fail({ code: 'INTERNAL', message: `The backend answered ${route} with malformed data`, retryable: false });
      }
      return ok(checked.data);
    } catch (error) {
      const tandemError = toTandemError(error);
      if (!(error instanceof CodedError)) this.logger.error(`handler for ${String(route)} failed`, error);
      return fail(tandemError);
    }
  }

  private releaseStreamSlot(clientId: string): void {
    const left = (this.streamSlots.get(clientId) ?? 1) - 1;
    if (left > 0) this.streamSlots.set(clientId, left);
    else this.streamSlots.delete(clientId);
  }

  /** Answers TIMEOUT when an ordinary request takes longer than its route's limit; the work itself is not stopped. */
  private withTimeout<T>(route: RouteName, work: Promise<T>): Promise<T> {
    const limitMs = this.limits.routeTimeoutsMs[route] ?? this.limits.requestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CodedError('TIMEOUT', `${route} did not answer within ${formatDuration(limitMs)}; it may still finish in the background. Try again, or check the app's logs`, {
              retryable: true,
            }),
          ),
        limitMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** Pushes an event to every attached client. */
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const client of this.clients.values()) {
      try {
        client.send({ type: 'event', event, payload });
      } catch (error) {
        this.logger.warn(`could not deliver ${event} to ${client.id}: ${(error as Error).message}`);
      }
    }
  }

  /** Aborts every running stream (used on shutdown). */
  cancelAll(): void {
    for (const stream of this.streams.values()) stream.controller.abort();
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  private cancel(streamId: string, clientId: string): { cancelled: boolean } {
    const stream = this.streams.get(streamId);
    if (!stream || stream.clientId !== clientId) return { cancelled: false };
    stream.controller.abort();
    return { cancelled: true };
  }

  private startStream(route: RouteName, started: StreamStartResult<unknown, unknown>, client: RpcClient) {
    const streamId = randomUUID();
    const controller = new AbortController();
    this.streams.set(streamId, { clientId: client.id, controller });
    let seq = 0;
    const send = (message: Omit<Extract<StreamMessage, { kind: 'part' }>, 'seq'> | Omit<Extract<StreamMessage, { kind: 'end' }>, 'seq'>) => {
      try {
        client.send({ ...message, seq: seq++ } as StreamMessage);
      } catch {
        controller.abort(); // the client is gone; stop the work
      }
    };
    const parts = new PartCoalescer((part) => send({ type: 'stream', streamId, kind: 'part', part }), this.coalesceMs);
    const end = (status: 'completed' | 'cancelled' | 'failed', error?: TandemError) => {
      parts.flush();
      send({ type: 'stream', streamId, kind: 'end', status, ...(error ? { error } : {}) });
    };
    // Start on the next turn so the response (carrying streamId) is sent first.
    setImmediate(() => {
      void started
        .run((part) => {
          if (!controller.signal.aborted || isTerminalPart(part)) parts.push(part);
        }, controller.signal)
        .then(
          () => end(controller.signal.aborted ? 'cancelled' : 'completed'),
          (error: unknown) => {
            const tandemError = toTandemError(error);
            if (!(error instanceof CodedError)) this.logger.error(`stream ${route} failed`, error);
            end('failed', tandemError);
          },
        )
        .finally(() => {
          this.streams.delete(streamId);
          this.releaseStreamSlot(client.id);
        });
    });
    return { streamId, info: started.info };
  }
}

function formatDuration(ms: number): string {
  return ms >= MINUTE && ms % MINUTE === 0 ? `${ms / MINUTE} min` : `${Math.round(ms / 100) / 10} s`;
}

function isTerminalPart(part: unknown): boolean {
  const { type, part: inner } = (part as { type?: unknown; part?: unknown } | null) ?? {};
  // A compare column's own end (and its final stats) after Stop; `summary` ends a lab run and still carries what finished.
  if (type === 'column') return isTerminalPart(inner);
  return type === 'finish' || type === 'error' || type === 'usage' || type === 'summary' || type === 'column-stats';
}
