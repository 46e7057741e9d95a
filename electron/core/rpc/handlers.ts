import type {
  RequestRouteName,
  RouteOutput,
  RouteParsedInput,
  StreamPartOf,
  StreamRouteName,
} from '../../../shared/ipc/contract';

/** What a request handler knows about who asked. */
export interface RequestContext {
  clientId: string;
  /** The user's own window (desktop IPC, or serve mode's page), not another program: see RpcClient.trust. */
  fromWindow?: boolean;
}

/** A started stream: the info answered at once, and the work that emits parts. */
export interface StreamStartResult<Info, Part> {
  info: Info;
  run: (emit: (part: Part) => void, signal: AbortSignal) => Promise<void>;
}

export type RequestHandler<K extends RequestRouteName> = (
  input: RouteParsedInput<K>,
  context: RequestContext,
) => Promise<RouteOutput<K>> | RouteOutput<K>;

export type StreamHandler<K extends StreamRouteName> = (
  input: RouteParsedInput<K>,
  context: RequestContext,
) => Promise<StreamStartResult<RouteOutput<K>, StreamPartOf<K>>>;

/**
 * One handler per route, no more, no fewer: a missing or extra handler is a
 * compile error. `stream.cancel` is answered by the router itself.
 */
export type Handlers = {
  [K in Exclude<RequestRouteName, 'stream.cancel'>]: RequestHandler<K>;
} & {
  [K in StreamRouteName]: StreamHandler<K>;
};
