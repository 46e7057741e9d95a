import type { AnswerStats, FinishReason, Usage } from '../../../shared/ipc/stream-parts';

/** While streaming, output tokens are estimated from the text (about four characters a token) until a usage part says. */
const CHARS_PER_TOKEN = 4;

/**
 * Live numbers of one answer: time to first token, tokens per second after
 * the first token, tokens in and out, cost and duration. Pure bookkeeping
 * over the parts it is told about; `now` is injectable for tests.
 */
export class AnswerStatsTracker {
  private readonly startedAt: number;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private chars = 0;
  private usage: Usage | null = null;
  private finish: FinishReason | null = null;

  constructor(
    private readonly options: { inputTokens: number; local: () => boolean },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  text(text: string): void {
    if (text.length === 0) return;
    const at = this.now();
    this.firstAt ??= at;
    this.lastAt = at;
    this.chars += text.length;
  }

  setUsage(usage: Usage): void {
    this.usage = usage;
  }

  finished(reason: FinishReason | null): void {
    this.finish = reason;
  }

  snapshot(): AnswerStats {
    const now = this.now();
    const outputTokens = this.usage?.outputTokens ?? Math.ceil(this.chars / CHARS_PER_TOKEN);
    const afterFirst = this.firstAt !== null && this.lastAt !== null ? (this.finish ? this.lastAt : now) - this.firstAt : 0;
    const tokensPerSecond = this.firstAt !== null && outputTokens >= 2 && afterFirst > 0 ? (outputTokens - 1) / (afterFirst / 1000) : null;
    return {
      ttftMs: this.firstAt === null ? null : round(this.firstAt - this.startedAt),
      tokensPerSecond: tokensPerSecond === null ? null : round(tokensPerSecond),
      inputTokens: this.usage?.inputTokens ?? this.options.inputTokens,
      outputTokens,
      costUsd: this.options.local() ? 0 : (this.usage?.costUsd ?? null),
      durationMs: round(now - this.startedAt),
      finishReason: this.finish,
    };
  }
}

function round(value: number): number {
  return Math.max(0, Math.round(value * 100) / 100);
}
