import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';
import { IdSchema } from '../ids';
import { request, stream } from '../route-def';
import { TaskTagSchema } from './compare';

/**
 * How a lab task's answer is scored (0–1). `reference` (on the task) is what
 * exact, contains and number compare against.
 */
export const GraderSchema = z.discriminatedUnion('type', [
  /** The answer, trimmed, equals the reference (case-insensitive unless `caseSensitive`). */
  z.object({ type: z.literal('exact'), caseSensitive: z.boolean().optional() }),
  /** The answer contains the reference (case-insensitive). */
  z.object({ type: z.literal('contains') }),
  /** The answer matches the pattern (JavaScript syntax). */
  z.object({ type: z.literal('regex'), pattern: z.string().min(1).max(2000), flags: z.string().regex(/^[imsu]*$/).optional() }),
  /** The answer is JSON valid against the schema (the request asks for it grammar-constrained). */
  z.object({ type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()) }),
  /** The first number in the answer is within `tolerance` of the reference. */
  z.object({ type: z.literal('number'), tolerance: z.number().nonnegative().optional() }),
  /** A judge model scores the answer against the rubric (and the reference, when given). */
  z.object({ type: z.literal('judge'), rubric: z.string().min(1).max(4000), judgeModelId: z.string().min(1).max(1024).optional() }),
]);
export type Grader = z.infer<typeof GraderSchema>;
export type GraderType = Grader['type'];

/** One prompt of a task set; one line of a task set's JSONL. */
export const LabTaskSchema = z.object({
  id: z.string().min(1).max(200),
  prompt: z.string().min(1).max(100_000),
  reference: z.string().max(100_000).optional(),
  grader: GraderSchema,
  systemPrompt: z.string().max(100_000).optional(),
  maxTokens: z.number().int().min(1).max(100_000).optional(),
  /** Detected from the prompt when not given. */
  tag: TaskTagSchema.optional(),
});
export type LabTask = z.infer<typeof LabTaskSchema>;

export const TaskSetSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  taskCount: z.number().int().nonnegative(),
  /** How many tasks each grader type scores. */
  graders: z.record(z.string(), z.number().int().nonnegative()),
  updatedAt: z.string(),
});
export type TaskSetSummary = z.infer<typeof TaskSetSummarySchema>;

export const TaskSetSchema = TaskSetSummarySchema.extend({ tasks: z.array(LabTaskSchema) });
export type TaskSet = z.infer<typeof TaskSetSchema>;

/** One model's answer to one task in one run. */
export const LabTaskResultSchema = z.object({
  modelId: z.string(),
  taskId: z.string(),
  /** 1-based repetition. */
  run: z.number().int().min(1),
  /** 0–1 from the grader; null when the call failed. */
  score: z.number().min(0).max(1).nullable(),
  answer: z.string(),
  ttftMs: z.number().nonnegative().nullable(),
  tokensPerSecond: z.number().nonnegative().nullable(),
  totalMs: z.number().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().nullable(),
  /** Why the call or the grader failed. */
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
  /** The grader's note (the judge's reason, the schema error, the number it read). */
  note: z.string().optional(),
});
export type LabTaskResult = z.infer<typeof LabTaskResultSchema>;

/** One row of the results table: a model over the whole run. */
export const LabModelSummarySchema = z.object({
  modelId: z.string(),
  kind: z.enum(['local', 'cloud']),
  /** Mean score over graded calls, 0–1 (failed calls count as 0). */
  quality: z.number().min(0).max(1),
  /** Medians over calls that produced text. */
  ttftMs: z.number().nonnegative().nullable(),
  tokensPerSecond: z.number().nonnegative().nullable(),
  /** Sum of the model's call times. */
  totalMs: z.number().nonnegative(),
  /** Most memory the local model held (model and context) during the run; null for cloud models. */
  peakMemoryBytes: z.number().nonnegative().nullable(),
  /** Dollars of the calls with a known price (a judge's included). */
  costUsd: z.number().nonnegative(),
  /** Calls to a cloud model whose price is unknown: their cost is not in `costUsd` (0 in runs saved before this was counted). */
  unpricedCalls: z.number().int().nonnegative().default(0),
  calls: z.number().int().nonnegative(),
  /** Calls that failed (counted as score 0 here; failures of the provider, network or budget are left out of router outcomes). */
  errors: z.number().int().nonnegative(),
});
export type LabModelSummary = z.infer<typeof LabModelSummarySchema>;

export const LabRunStatusSchema = z.enum(['running', 'done', 'cancelled', 'error']);

export const LabRunSummarySchema = z.object({
  id: z.string(),
  setId: z.string(),
  setName: z.string(),
  modelIds: z.array(z.string()),
  runs: z.number().int().min(1),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: LabRunStatusSchema,
  models: z.array(LabModelSummarySchema),
});
export type LabRunSummary = z.infer<typeof LabRunSummarySchema>;

export const LabRunSchema = LabRunSummarySchema.extend({ results: z.array(LabTaskResultSchema) });
export type LabRun = z.infer<typeof LabRunSchema>;

export const LabEstimateSchema = z.object({
  calls: z.number().int().nonnegative(),
  /** Sum of the known estimates; models with an unknown price are listed with null (and in `unpricedModelIds`). */
  estimatedCostUsd: z.number().nonnegative(),
  /** Models (a cloud judge included) whose price is unknown: the total leaves them out. */
  unpricedModelIds: z.array(z.string()),
  perModel: z.array(z.object({ modelId: z.string(), calls: z.number().int(), estimatedCostUsd: z.number().nonnegative().nullable() })),
});
export type LabEstimate = z.infer<typeof LabEstimateSchema>;

/** What a lab run streams: progress, each result as it lands, and the table at the end. */
export const LabRunPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), done: z.number().int().nonnegative(), total: z.number().int().nonnegative(), current: z.string().optional() }),
  z.object({ type: z.literal('result'), result: LabTaskResultSchema }),
  /** The last part: the run as saved (also after Stop, with what finished). */
  z.object({ type: z.literal('summary'), run: LabRunSummarySchema }),
]);
export type LabRunPart = z.infer<typeof LabRunPartSchema>;

const SetRef = z.strictObject({ setId: IdSchema });
const RunRef = z.strictObject({ runId: IdSchema });
const RunRequest = {
  setId: IdSchema,
  modelIds: z.array(z.string().min(1).max(1024)).min(1).max(8),
  /** Repetitions of every task per model. */
  runs: z.number().int().min(1).max(20).optional(),
};

export const labRoutes = {
  'lab.sets.list': request(z.strictObject({}), z.array(TaskSetSummarySchema)),
  'lab.sets.get': request(SetRef, TaskSetSchema),
  /**
   * Imports a task set from JSONL: one task per line (`prompt`, optional
   * `id`, `reference`, `grader`, `systemPrompt`, `maxTokens`, `tag`). A line
   * without a grader is graded `contains` when it has a reference. Bad lines
   * are reported by number and skipped.
   */
  'lab.sets.import': request(
    z.strictObject({ name: z.string().trim().min(1).max(200), jsonl: z.string().max(50_000_000) }),
    z.object({ set: TaskSetSummarySchema, skipped: z.array(z.object({ line: z.number().int(), message: z.string() })) }),
  ),
  'lab.sets.export': request(SetRef, z.object({ filename: z.string(), mimeType: z.string(), content: z.string() })),
  'lab.sets.delete': request(SetRef, z.object({ deleted: z.literal(true) })),
  /** What a run would cost before it starts (cloud models at their prices; local models are free). */
  'lab.estimate': request(z.strictObject(RunRequest), LabEstimateSchema),
  /**
   * Runs every task on every model `runs` times, through the provider queues
   * and budgets, at most `parallel` calls at once (local models always one
   * at a time). A failing call is a result with its error; the run goes on.
   * Results become router outcomes.
   */
  'lab.run': stream(
    z.strictObject({ ...RunRequest, parallel: z.number().int().min(1).max(16).optional() }),
    z.object({ runId: z.string(), total: z.number().int().nonnegative() }),
    LabRunPartSchema,
  ),
  'lab.runs.list': request(z.strictObject({}), z.array(LabRunSummarySchema)),
  'lab.runs.get': request(RunRef, LabRunSchema),
  'lab.runs.export': request(
    z.strictObject({ runId: IdSchema, format: z.enum(['csv', 'json']) }),
    z.object({ filename: z.string(), mimeType: z.string(), content: z.string() }),
  ),
} as const;
