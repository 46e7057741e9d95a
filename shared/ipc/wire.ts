import { z } from 'zod';
import type { Result } from './result';
import type { TandemError } from './errors';
import type { EventName, EventPayload } from './contract';

/**
 * Envelopes on the wire. The same shapes travel over Electron IPC and over
 * the loopback WebSocket, so the renderer's client code is transport-agnostic.
 */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    /** Client-chosen correlation id, echoed in the response. */
    id: z.number().int().nonnegative(),
    route: z.string().max(100),
    input: z.unknown(),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export interface ResponseMessage {
  type: 'response';
  id: number;
  result: Result<unknown>;
}

/** One streamed item: a part, or the single final `end`. `seq` starts at 0 and has no gaps. */
export type StreamMessage =
  | { type: 'stream'; streamId: string; seq: number; kind: 'part'; part: unknown }
  | {
      type: 'stream';
      streamId: string;
      seq: number;
      kind: 'end';
      status: 'completed' | 'cancelled' | 'failed';
      error?: TandemError;
    };

export interface EventMessage<E extends EventName = EventName> {
  type: 'event';
  event: E;
  payload: EventPayload<E>;
}

export type ServerMessage = ResponseMessage | StreamMessage | EventMessage;

/** Query parameter and WebSocket subprotocol prefix that carry the serve-mode token. */
export const TOKEN_QUERY_PARAM = 'token';
export const WS_PATH = '/tandem-ws';
