import type { RouteName, RouteOutput, StreamRouteName, StreamStart } from '../../shared/ipc/contract';

/** What a route answers on success: its output, or for a stream route the stream id and its info. */
export type Answer<K extends RouteName> = K extends StreamRouteName ? StreamStart<RouteOutput<K>> : RouteOutput<K>;
