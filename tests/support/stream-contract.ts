import { contract, isRouteName } from '../../shared/ipc/contract';
import { TandemErrorSchema } from '../../shared/ipc/errors';
import type { ServerMessage } from '../../shared/ipc/wire';

/**
 * Checks every streamed part a test client receives against its route's
 * part schema in the contract (and every end's error against the error
 * schema), so each test over a real stream also proves the backend keeps the
 * contract. A part that breaks it is recorded; `assertClean` throws with it.
 */
export class StreamContractCheck {
  private readonly routes = new Map<string, string>();
  readonly violations: { streamId: string; problem: string }[] = [];

  /** A stream route answered: its parts will be checked against that route's schema. */
  started(route: unknown, result: unknown): void {
    if (!isRouteName(route) || contract[route].kind !== 'stream') return;
    const data = (result as { ok?: boolean; data?: { streamId?: unknown } } | null) ?? null;
    if (data?.ok && typeof data.data?.streamId === 'string') this.routes.set(data.data.streamId, route);
  }

  check(message: ServerMessage): void {
    if (message.type !== 'stream') return;
    const route = this.routes.get(message.streamId);
    if (!route || !isRouteName(route)) return;
    const def = contract[route];
    if (def.kind !== 'stream') return;
    if (message.kind === 'part') {
      const parsed = def.part.safeParse(message.part);
      if (!parsed.success) {
        this.violations.push({
          streamId: message.streamId,
          problem: `${route} part ${JSON.stringify(message.part).slice(0, 300)} breaks the contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        });
      }
    } else if (message.error !== undefined && !TandemErrorSchema.safeParse(message.error).success) {
      this.violations.push({ streamId: message.streamId, problem: `${route} ended with an error that breaks the contract: ${JSON.stringify(message.error)}` });
    }
  }

  /** Throws when a part of this stream (or of any stream, without an id) broke the contract. */
  assertClean(streamId?: string): void {
    const found = this.violations.filter((v) => streamId === undefined || v.streamId === streamId);
    if (found.length > 0) throw new Error(`stream parts that break the contract:\n${found.map((v) => v.problem).join('\n')}`);
  }
}
