import { countTokens } from 'gpt-tokenizer';
import type { AnswerStats, FinishReason, Usage } from '../../../shared/ipc/stream-parts';

/**
 * Measures one answer as it streams (a strategy step): time to first token,
 * tokens per second after it, tokens in and out (estimated until the usage
 * part says), cost and how it finished.
 */
export class StepMeter {
  private readonly started = performance.now();
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private endedAt: number | null = null;
  private chars = '';
  private usage: Usage | null = null;
  private finishReason: FinishReason | null = null;

  constructor(
    /** The prompt's estimated tokens, until a usage part gives the real count. */
    private readonly inputEstimate: number,
    /** A cloud model's cost is unknown (null) until its usage says; a local model's is 0. */
    private readonly cloud: boolean,
  ) {}

  text(delta: string): void {
    if (delta.length === 0) return;
    const now = performance.now();
    this.firstAt ??= now;
    this.lastAt = now;
    this.chars += delta;
  }

  setUsage(usage: Usage): void {
    this.usage = usage;
  }

  finish(reason: FinishReason): void {
    this.finishReason = reason;
    this.endedAt = performance.now();
  }

  stats(): AnswerStats {
    const end = this.endedAt ?? performance.now();
    const outputTokens = this.usage?.outputTokens ?? (this.chars ? countTokens(this.chars) : 0);
    const streamedMs = this.firstAt !== null && this.lastAt !== null ? this.lastAt - this.firstAt : 0;
    return {
      ttftMs: this.firstAt === null ? null : round(this.firstAt - this.started),
      tokensPerSecond: outputTokens > 1 && streamedMs > 0 ? round(((outputTokens - 1) * 1000) / streamedMs) : null,
      inputTokens: this.usage?.inputTokens ?? this.inputEstimate,
      outputTokens,
      costUsd: this.usage?.costUsd ?? (this.cloud ? null : 0),
      durationMs: round(end - this.started),
      finishReason: this.finishReason,
    };
  }
}

/** Several steps' stats as one (a judge scoring several candidates): times and tokens add up. */
export function sumStats(all: AnswerStats[], finishReason: FinishReason | null): AnswerStats {
  const costs = all.map((s) => s.costUsd);
  return {
    ttftMs: all.find((s) => s.ttftMs !== null)?.ttftMs ?? null,
    tokensPerSecond: null,
    inputTokens: all.reduce((sum, s) => sum + s.inputTokens, 0),
    outputTokens: all.reduce((sum, s) => sum + s.outputTokens, 0),
    costUsd: costs.some((c) => c === null) ? null : costs.reduce<number>((sum, c) => sum + (c ?? 0), 0),
    durationMs: all.reduce((sum, s) => sum + s.durationMs, 0),
    finishReason,
  };
}

function round(value: number): number {
  return Math.max(0, Math.round(value * 10) / 10);
}
