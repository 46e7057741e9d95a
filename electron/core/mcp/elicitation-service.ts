import { randomBytes } from 'node:crypto';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { elicitationFields, elicitationProblems, withElicitationDefaults, type ElicitationContent } from '../../../shared/ipc/elicitation-form';
import { CodedError } from '../../../shared/ipc/errors';
import type { ElicitationRequest } from '../../../shared/ipc/routes/mcp';

/** Ten minutes for the user to fill in a form (the reference servers wait as long) before it ends as cancelled. */
export const DEFAULT_ELICITATION_TIMEOUT_MS = 10 * 60_000;

/** Answers a server's `elicitation/create` with what the user did (the MCP host calls it). */
export type ElicitationHandler = (server: string, params: ElicitRequest['params'], signal: AbortSignal) => Promise<ElicitResult>;

export type ElicitationAction = 'accept' | 'decline' | 'cancel';

export interface ElicitationServiceOptions {
  /** Tells every client (`mcp.elicitationRequested`): the UI opens a form. */
  broadcast: (request: ElicitationRequest) => void;
  /** Tells every client the request ended (`mcp.elicitationEnded`): the UI closes its form. */
  ended: (requestId: string) => void;
  timeoutMs?: number;
}

interface Pending {
  request: ElicitationRequest;
  settle: (result: ElicitResult) => void;
}

/**
 * Servers' requests for input, with the user in the loop. Each request gets a
 * random, unguessable id and is broadcast and listed until the user answers
 * through `mcp.answerElicitation` (the only way in: nothing a model or a tool
 * writes reaches it). Nothing is sent back without the user's action: a
 * request nobody answers ends as `cancel` after the timeout; one the server
 * cancels ends without an answer.
 *
 * Form answers are checked against the requested schema before they go back,
 * with the schema's defaults filled in for fields the user left out (SEP-1034).
 * URL mode carries no content: `accept` means the user agreed to open the link.
 */
export class ElicitationService {
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;

  constructor(private readonly options: ElicitationServiceOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ELICITATION_TIMEOUT_MS;
  }

  readonly handler: ElicitationHandler = (server, params, signal) => {
    const url = params.mode === 'url' ? params : null;
    const form = params.mode === 'url' ? null : params;
    const request: ElicitationRequest = {
      requestId: randomBytes(18).toString('base64url'),
      server,
      mode: url ? 'url' : 'form',
      message: params.message,
      requestedSchema: form ? (form.requestedSchema as Record<string, unknown>) : null,
      url: url ? url.url : null,
    };
    return this.wait(request, signal);
  };

  /** Requests waiting for the user, oldest first. */
  list(): ElicitationRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  /**
   * The user's answer. False for an unknown, already answered or expired id.
   * An accepted form whose values do not fit the schema is refused with
   * INVALID_INPUT (details: the problem of each field) and keeps waiting.
   */
  answer(requestId: string, action: ElicitationAction, content?: ElicitationContent): boolean {
    const pending = this.pending.get(requestId);
    if (!pending) return false;
    if (action !== 'accept') {
      pending.settle({ action });
      return true;
    }
    if (pending.request.mode === 'url') {
      pending.settle({ action: 'accept' });
      return true;
    }
    const fields = elicitationFields(pending.request.requestedSchema);
    const filled = withElicitationDefaults(fields, content ?? {});
    const problems = elicitationProblems(fields, filled);
    const names = Object.keys(problems);
    if (names.length > 0) {
      const said = names.map((name) => `${fields.find((f) => f.name === name)?.label ?? name}: ${problems[name]}`).join('; ');
      throw new CodedError('INVALID_INPUT', `The answer does not fit the form of ${pending.request.server}: ${said}`, { details: problems });
    }
    pending.settle({ action: 'accept', content: filled });
    return true;
  }

  /** Cancels everything still waiting (shutdown). */
  dispose(): void {
    for (const pending of [...this.pending.values()]) pending.settle({ action: 'cancel' });
  }

  private wait(request: ElicitationRequest, signal: AbortSignal): Promise<ElicitResult> {
    return new Promise<ElicitResult>((resolve, reject) => {
      if (signal.aborted) return reject(new CodedError('CANCELLED', `${request.server} cancelled its request for input`));
      const finish = (settle: () => void) => {
        if (!this.pending.delete(request.requestId)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
        this.options.ended(request.requestId);
      };
      const onAbort = () => finish(() => reject(new CodedError('CANCELLED', `${request.server} cancelled its request for input`)));
      const timer = setTimeout(() => finish(() => resolve({ action: 'cancel' })), this.timeoutMs);
      timer.unref?.();
      this.pending.set(request.requestId, { request, settle: (result) => finish(() => resolve(result)) });
      signal.addEventListener('abort', onAbort, { once: true });
      this.options.broadcast(request);
    });
  }
}
