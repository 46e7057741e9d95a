import type { RouteInput, RouteName } from '../../shared/ipc/contract';
import type { Result } from '../../shared/ipc/result';
import type { ServerMessage } from '../../shared/ipc/wire';
import type { RpcDispatcher, RpcClient } from '../../electron/core/rpc/rpc-dispatcher';
import type { Answer } from './answer';
import { streamView, type StreamView } from './stream-log';
import { waitUntil } from './wait';

/** An in-process rpc client, as a window would be: it keeps every message the dispatcher sends it. */
export class CollectingClient implements RpcClient {
  readonly messages: ServerMessage[] = [];
  private readonly detach: () => void;

  constructor(
    private readonly rpc: RpcDispatcher,
    readonly id = `test-${Math.random().toString(36).slice(2)}`,
  ) {
    this.detach = rpc.attach(this);
  }

  send(message: ServerMessage): void {
    // the transport serialises; so do we, so nothing shared by reference slips through
    this.messages.push(JSON.parse(JSON.stringify(message)) as ServerMessage);
  }

  request<K extends RouteName>(route: K, input: RouteInput<K>): Promise<Result<Answer<K>>>;
  request(route: unknown, input: unknown): Promise<Result<unknown>>;
  request(route: unknown, input: unknown): Promise<Result<unknown>> {
    return this.rpc.request(route, input, this);
  }

  async call<K extends RouteName>(route: K, input: RouteInput<K>): Promise<Answer<K>> {
    const result = await this.request(route, input);
    if (!result.ok) throw new Error(`${route} failed: ${result.error.code}: ${result.error.message}`);
    return result.data;
  }

  stream(streamId: string): StreamView {
    return streamView(this.messages, streamId);
  }

  async waitForEnd(streamId: string, timeoutMs = 30_000): Promise<StreamView> {
    await waitUntil(() => this.stream(streamId).end !== undefined, `the end of stream ${streamId}`, timeoutMs);
    return this.stream(streamId);
  }

  close(): void {
    this.detach();
  }
}
