import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../../app/create-core';
import type { ApiCaller } from './api-gate';
import type { ModelTurn } from './model-turn';
import type { ResponseStore } from './response-store';

/** What one endpoint call gets from the handler. */
export interface EndpointContext {
  core: Core;
  req: IncomingMessage;
  res: ServerResponse;
  caller: ApiCaller;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
  /** The parsed JSON body (bounded). */
  body(): Promise<unknown>;
  /** Headers every answer carries (CORS). */
  baseHeaders: Record<string, string>;
  /** The answer in progress, for the request log (model, tokens, cost). */
  track(turn: ModelTurn): void;
  /** Usage of work that is not a chat answer (embeddings). */
  recordUsage(usage: { model: string; inputTokens: number; outputTokens?: number; costUsd?: number }): void;
  responses: ResponseStore;
}

export type Endpoint = (ctx: EndpointContext) => Promise<void>;

/** Unix seconds, as OpenAI's `created`. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
