import { randomUUID } from 'node:crypto';
import { contract, isRouteName, type EventName, type EventPayload, type RouteName } from '../../../shared/ipc/contract';
import { CodedError, toTandemError, type TandemError } from '../../../shared/ipc/errors';
import { fail, ok, type Result } from '../../../shared/ipc/result';
import { ClientMessageSchema, type ServerMessage, type StreamMessage } from '../../../shared/ipc/wire';
import type { Logger } from '../app/logger';
import type { Handlers, StreamStartResult } from './handlers';
import { DEFAULT_COALESCE_MS, PartCoalescer } from './part-coalescer';

/** A connected client (a window over IPC, a browser tab over WebSocket): where its messages go. */
export interface RpcClient {
  readonly id: string;
  send(message: ServerMessage): void;
}

interface ActiveStream {
  clientId: string;
  controller: AbortController;
}

/**
 * The contract's dispatcher (IPC and WebSocket alike). Looks a route up, validates its input, dispatches to a handler, and always
 * answers a Result: nothing throws across the boundary. Also runs streams
 * (ids, sequence numbers, one final `end`, cancellation) and broadcasts events.
 */
export class RpcDispatcher {
  private readonly clients = new Map<string, RpcClient>();
  private readonly streams = new Map<string, ActiveStream>();

  constructor(
    private readonly handlers: Handlers,
    private readonly logger: Logger,
    /** Window within which consecutive text deltas are merged into one message (0 sends every part alone). */
    private readonly coalesceMs = DEFAULT_COALESCE_MS,
  ) {}

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
    const result = await this.request(route, input, client);
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
      const context = { clientId: client.id };
      if (def.kind === 'stream') {
        const handler = this.handlers[route as keyof Handlers] as unknown as (
          input: unknown,
          context: { clientId: string },
        ) => Promise<StreamStartResult<unknown, unknown>>;
        const started = await handler(parsedInput.data, context);
        return ok(this.startStream(route, started, client));
      }
      const handler = this.handlers[route as keyof Handlers] as unknown as (input: unknown, context: { clientId: string }) => unknown;
      const output = await handler(parsedInput.data, context);
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
        .finally(() => this.streams.delete(streamId));
    });
    return { streamId, info: started.info };
  }
}

function isTerminalPart(part: unknown): boolean {
  const { type, part: inner } = (part as { type?: unknown; part?: unknown } | null) ?? {};
  // A compare column's own end (and its final stats) after Stop; `summary` ends a lab run and still carries what finished.
  if (type === 'column') return isTerminalPart(inner);
  return type === 'finish' || type === 'error' || type === 'usage' || type === 'summary' || type === 'column-stats';
}
