import { randomBytes } from 'node:crypto';

/** What the user answered on an approval card (`chat.approveTool`). */
export type ApprovalDecision = 'allow-once' | 'always-allow' | 'deny';
/** How a wait for approval ended: the user's answer, or no answer. */
export type ApprovalOutcome = ApprovalDecision | 'cancelled' | 'timeout';

/** A tool call waiting for the user. */
export interface PendingApproval {
  readonly approvalId: string;
  /** Settles once, with the user's decision or with `cancelled` / `timeout`. */
  readonly outcome: Promise<ApprovalOutcome>;
}

interface Waiting {
  clientId: string | null;
  settle: (outcome: ApprovalOutcome) => void;
}

/** Ten minutes: long enough to read a card, short enough that a forgotten turn ends. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 10 * 60_000;

/**
 * The only way a tool call gets approved. Each approval card gets a random,
 * unguessable id that exists only while its stream waits; `resolve` is called
 * from the `chat.approveTool` route alone, and only the client that owns the
 * stream (when known) can answer it. Nothing a model, a document or a tool
 * writes reaches here: they can at most print an id, which proves nothing.
 */
export class ApprovalBroker {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly timeoutMs = DEFAULT_APPROVAL_TIMEOUT_MS) {}

  /**
   * Opens an approval. It ends as `cancelled` when `signal` aborts (Stop, the
   * client left) and as `timeout` when nobody answers in time.
   */
  request(options: { signal: AbortSignal; clientId?: string | null }): PendingApproval {
    const approvalId = randomBytes(24).toString('base64url');
    let settle!: (outcome: ApprovalOutcome) => void;
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const onAbort = () => settle('cancelled');
      settle = (value) => {
        if (!this.waiting.delete(approvalId)) return;
        if (timer) clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      this.waiting.set(approvalId, { clientId: options.clientId ?? null, settle });
      if (options.signal.aborted) return settle('cancelled');
      options.signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => settle('timeout'), this.timeoutMs);
      timer.unref?.();
    });
    return { approvalId, outcome };
  }

  /**
   * The user's answer to a card. False (and nothing happens) for an id that is
   * unknown, already answered, expired, or owned by another client's stream.
   */
  resolve(approvalId: string, decision: ApprovalDecision, clientId?: string): boolean {
    const waiting = this.waiting.get(approvalId);
    if (!waiting) return false;
    if (waiting.clientId !== null && waiting.clientId !== clientId) return false;
    waiting.settle(decision);
    return true;
  }

  /** Approvals waiting now. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Ends every wait as cancelled (shutdown). */
  dispose(): void {
    for (const waiting of [...this.waiting.values()]) waiting.settle('cancelled');
  }
}
