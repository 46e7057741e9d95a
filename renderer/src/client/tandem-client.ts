import type {
  EventName,
  EventPayload,
  RequestRouteName,
  RouteInput,
  RouteOutput,
  StreamPartOf,
  StreamRouteName,
  StreamStart,
} from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';
import type { EventMessage, StreamMessage } from '../../../shared/ipc/wire';
import { StreamSequencer } from './stream-sequencer';
import { TandemClientError, type ClientErrorCode } from './tandem-client-error';
import { ConnectionLostError, type ConnectionStatus, type PushMessage, type Transport } from './transport';

export interface StreamEnd {
  status: 'completed' | 'cancelled' | 'failed';
  error?: { code: ClientErrorCode; message: string };
}

export interface StreamHandlers<Part, Info> {
  /** Called once with the stream's id and info, before any part. */
  onStart?: (start: StreamStart<Info>) => void;
  /** Each part, in `seq` order. */
  onPart: (part: Part) => void;
  /** Exactly once, after the last part (also when the connection drops mid-stream). */
  onEnd: (end: StreamEnd) => void;
}

interface OpenStream {
  sequencer: StreamSequencer;
  /** Ends the stream from this side (the link dropped), skipping any parts not yet received. */
  lose: (end: StreamEnd) => void;
}

/** Stream items for an id we have not been told about yet: its response is still on the way. */
const MAX_UNCLAIMED_STREAMS = 32;

/**
 * The renderer's one way to talk to the backend, whatever the transport:
 * typed requests that throw TandemClientError on `ok: false`, streams whose
 * parts arrive in order, and typed events.
 */
export class TandemClient {
  private readonly streams = new Map<string, OpenStream>();
  private readonly unclaimed = new Map<string, StreamMessage[]>();
  private readonly eventHandlers = new Map<EventName, Set<(payload: never) => void>>();
  private readonly unsubscribe: () => void;
  private readonly unwatchStatus: () => void;

  constructor(private readonly transport: Transport) {
    this.unsubscribe = transport.subscribe((message) => this.receive(message));
    this.unwatchStatus = transport.onStatus((status) => {
      if (status.state !== 'open') this.endAllStreams('The connection to Tandem was lost; the answer stopped.');
    });
  }

  get transportKind(): Transport['kind'] {
    return this.transport.kind;
  }

  connection(): ConnectionStatus {
    return this.transport.status();
  }

  onConnection(listener: (status: ConnectionStatus) => void): () => void {
    return this.transport.onStatus(listener);
  }

  async request<K extends RequestRouteName>(route: K, input: RouteInput<K>): Promise<RouteOutput<K>> {
    const result = await this.send(route, input);
    return result as RouteOutput<K>;
  }

  /**
   * Starts a stream route. Resolves with the start info once the backend has
   * accepted it; parts then arrive through `handlers` in sequence order, even
   * when some reached us before the response did.
   */
  async stream<K extends StreamRouteName>(
    route: K,
    input: RouteInput<K>,
    handlers: StreamHandlers<StreamPartOf<K>, RouteOutput<K>>,
  ): Promise<StreamStart<RouteOutput<K>>> {
    const start = (await this.send(route, input)) as StreamStart<RouteOutput<K>>;
    let ended = false;
    const end = (result: StreamEnd) => {
      if (ended) return;
      ended = true;
      this.streams.delete(start.streamId);
      handlers.onEnd(result);
    };
    const sequencer = new StreamSequencer((message) => {
      if (ended) return;
      if (message.kind === 'part') handlers.onPart(message.part as StreamPartOf<K>);
      else end(message.error ? { status: message.status, error: message.error } : { status: message.status });
    });
    this.streams.set(start.streamId, { sequencer, lose: end });
    handlers.onStart?.(start);
    const early = this.unclaimed.get(start.streamId) ?? [];
    this.unclaimed.delete(start.streamId);
    for (const message of early) sequencer.push(message);
    return start;
  }

  /** Asks the backend to stop a stream; false when it had already ended. */
  async cancel(streamId: string): Promise<boolean> {
    const { cancelled } = await this.request('stream.cancel', { streamId });
    return cancelled;
  }

  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
    let handlers = this.eventHandlers.get(event);
    if (!handlers) {
      handlers = new Set();
      this.eventHandlers.set(event, handlers);
    }
    const stored = handler as (payload: never) => void;
    handlers.add(stored);
    return () => handlers.delete(stored);
  }

  dispose(): void {
    this.unsubscribe();
    this.unwatchStatus();
    this.transport.close();
  }

  private async send(route: string, input: unknown): Promise<unknown> {
    let result: Result<unknown>;
    try {
      result = await this.transport.request(route, input);
    } catch (error) {
      if (error instanceof ConnectionLostError) throw new TandemClientError('DISCONNECTED', error.message, { retryable: true });
      throw error;
    }
    if (!result.ok) throw TandemClientError.from(result.error);
    return result.data;
  }

  private receive(message: PushMessage): void {
    if (message.type === 'event') {
      this.dispatchEvent(message);
      return;
    }
    const open = this.streams.get(message.streamId);
    if (open) {
      open.sequencer.push(message);
      return;
    }
    const waiting = this.unclaimed.get(message.streamId);
    if (waiting) {
      waiting.push(message);
      return;
    }
    if (this.unclaimed.size >= MAX_UNCLAIMED_STREAMS) {
      const oldest = this.unclaimed.keys().next().value;
      if (oldest !== undefined) this.unclaimed.delete(oldest);
    }
    this.unclaimed.set(message.streamId, [message]);
  }

  private dispatchEvent(message: EventMessage): void {
    const handlers = this.eventHandlers.get(message.event);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        (handler as (payload: unknown) => void)(message.payload);
      } catch (error) {
        console.error(`handler for ${message.event} failed`, error);
      }
    }
  }

  private endAllStreams(message: string): void {
    const open = [...this.streams.values()];
    this.streams.clear();
    this.unclaimed.clear();
    for (const stream of open) stream.lose({ status: 'failed', error: { code: 'DISCONNECTED', message } });
  }
}
