import { OutcomeLineSchema, type OutcomeLine } from '../../../shared/ipc/routes/routing';
import type { OutcomeSample } from './quality-model';

export interface ParsedOutcomes {
  lines: { line: number; outcome: OutcomeLine }[];
  /** Malformed lines, by 1-based line number; the rest is still used. */
  skipped: { line: number; message: string }[];
}

/** Reads outcome JSONL (`{"prompt", "outcomes": {MODEL: {score, costUsd?}}, "task"?}` per line); blank lines are ignored. */
export function parseOutcomeLines(text: string): ParsedOutcomes {
  const lines: ParsedOutcomes['lines'] = [];
  const skipped: ParsedOutcomes['skipped'] = [];
  const rows = text.split('\n');
  rows.forEach((raw, i) => {
    const row = raw.trim();
    if (row === '') return;
    let json: unknown;
    try {
      json = JSON.parse(row);
    } catch (error) {
      skipped.push({ line: i + 1, message: `not JSON (${(error as Error).message})` });
      return;
    }
    const parsed = OutcomeLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipped.push({ line: i + 1, message: `${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    lines.push({ line: i + 1, outcome: parsed.data });
  });
  return { lines, skipped };
}

/** An outcome line as the quality model learns it. */
export function toSample(line: OutcomeLine): OutcomeSample {
  const scores = new Map<string, number>();
  const costs = new Map<string, number>();
  for (const [model, outcome] of Object.entries(line.outcomes)) {
    scores.set(model, outcome.score);
    if (outcome.costUsd !== undefined) costs.set(model, outcome.costUsd);
  }
  return { prompt: line.prompt, scores, costs };
}
