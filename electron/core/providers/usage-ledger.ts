import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ErrorCode } from '../../../shared/ipc/errors';

/** One provider request and how it went: a line of `usage/requests.jsonl`. */
export interface RequestRecord {
  at: string;
  provider: string;
  model: string;
  /** From sending to the end of the answer (or the failure). */
  latencyMs: number;
  /** From sending to the first streamed token; null when none came. */
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Tokens estimated before sending (gpt-tokenizer); the reported count above is the truth. */
  estimatedInputTokens: number;
  costUsd: number | null;
  attempts: number;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  finishReason: string | null;
}

const RECENT_MS = 60 * 60 * 1000;

/**
 * Append-only JSONL ledger for the router and the cost dashboard. Writes are
 * queued in order and never block an answer; the last hour stays in memory for health.
 */
export class UsageLedger {
  private readonly recentRecords: RequestRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private dirReady: Promise<unknown> | null = null;

  constructor(
    private readonly path: string,
    private readonly onWriteError: (error: Error) => void = () => undefined,
  ) {}

  record(record: RequestRecord): void {
    this.recentRecords.push(record);
    this.prune(Date.now());
    this.dirReady ??= mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const line = `${JSON.stringify(record)}\n`;
    this.writing = this.writing
      .then(() => this.dirReady)
      .then(() => appendFile(this.path, line, { mode: 0o600 }))
      .catch((error: Error) => this.onWriteError(error));
  }

  /** Records of the last hour, oldest first. */
  recent(now = Date.now()): RequestRecord[] {
    this.prune(now);
    return [...this.recentRecords];
  }

  /** Resolves when everything recorded so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private prune(now: number): void {
    while (this.recentRecords.length > 0 && now - Date.parse(this.recentRecords[0]!.at) > RECENT_MS) this.recentRecords.shift();
  }
}
