import type { Difficulty, Puzzle, SoupAnswer } from '../../../shared/ipc/routes/soup';
import type { LabTask } from '../../../shared/ipc/routes/lab';
import { hostSystemPrompt } from './host';

export interface SoupEvalRow {
  puzzleId: string;
  question: string;
  expected: SoupAnswer;
  /** Null when the host failed (its error is in `error`). */
  answer: SoupAnswer | null;
  correct: boolean;
  error?: string;
}

export interface SoupEvalSummary {
  modelId: string;
  correct: number;
  total: number;
  accuracy: number;
  byDifficulty: Record<Difficulty, { correct: number; total: number; accuracy: number }>;
  rows: SoupEvalRow[];
}

/** Counts correct answers overall and per difficulty. */
export function summarizeEval(modelId: string, puzzles: Puzzle[], rows: SoupEvalRow[]): SoupEvalSummary {
  const difficultyOf = new Map(puzzles.map((p) => [p.id, p.difficulty]));
  const byDifficulty = { easy: { correct: 0, total: 0, accuracy: 0 }, medium: { correct: 0, total: 0, accuracy: 0 }, hard: { correct: 0, total: 0, accuracy: 0 } };
  for (const row of rows) {
    const bucket = byDifficulty[difficultyOf.get(row.puzzleId) ?? 'medium'];
    bucket.total++;
    if (row.correct) bucket.correct++;
  }
  for (const bucket of Object.values(byDifficulty)) bucket.accuracy = bucket.total ? bucket.correct / bucket.total : 0;
  const correct = rows.filter((r) => r.correct).length;
  return { modelId, correct, total: rows.length, accuracy: rows.length ? correct / rows.length : 0, byDifficulty, rows };
}

/**
 * The labelled questions as a lab task set: one task per question, the
 * puzzle in the system prompt, graded `exact` on the answer word (so
 * `tandem lab run FILE --models A,B` compares hosts).
 */
export function soupLabTasks(puzzles: Puzzle[]): LabTask[] {
  return puzzles.flatMap((puzzle) =>
    puzzle.questions.map((q, i) => ({
      id: `${puzzle.id}-${i + 1}`,
      prompt: q.question,
      reference: q.answer,
      grader: { type: 'exact' as const },
      systemPrompt: hostSystemPrompt(puzzle, 'word'),
      maxTokens: 8,
    })),
  );
}
