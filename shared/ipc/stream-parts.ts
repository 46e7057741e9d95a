import { z } from 'zod';
import { ErrorCodeSchema } from './errors';
import { CitationSchema } from './routes/documents';
import { FallbackSchema, RouteDecisionSchema } from './routes/routing';

/**
 * The parts every model (local or cloud) streams. Learned from the Vercel AI
 * SDK provider spec: consumers (chat view, router, API server) read one shape.
 */
export const FinishReasonSchema = z.enum(['stop', 'length', 'tool-calls', 'cancelled', 'content-filter', 'error']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/** What one answer (a compare column, a strategy step, a lab call) measured. */
export const AnswerStatsSchema = z.object({
  /** Milliseconds from the request to the first text; null before it (or when none came). */
  ttftMs: z.number().nonnegative().nullable(),
  /** Output tokens per second after the first token; null until there are two tokens to measure. */
  tokensPerSecond: z.number().nonnegative().nullable(),
  inputTokens: z.number().int().nonnegative(),
  /** From the usage part at the end; estimated from the text while streaming. */
  outputTokens: z.number().int().nonnegative(),
  /** Dollars; 0 for local models; null when a cloud model's price is unknown. */
  costUsd: z.number().nonnegative().nullable(),
  /** Milliseconds from the request to the end (so far, while streaming). */
  durationMs: z.number().nonnegative(),
  /** How it finished; null while it runs. */
  finishReason: FinishReasonSchema.nullable(),
});
export type AnswerStats = z.infer<typeof AnswerStatsSchema>;

/** A step of a strategy (Chat settings → Strategy): who does what. */
export const StepRoleSchema = z.enum(['draft', 'refine', 'condense', 'answer', 'candidate', 'judge']);
export type StepRole = z.infer<typeof StepRoleSchema>;

/** A finished strategy step, as saved with the answer. */
export const StepRecordSchema = z.object({
  step: z.number().int().min(0),
  role: StepRoleSchema,
  modelId: z.string(),
  /** For people: "Draft", "Refine", "Candidate 2 (model)", "Judge". */
  label: z.string(),
  /** What the step wrote (for a judge step: its scores as text). */
  text: z.string(),
  stats: AnswerStatsSchema,
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
  /** A candidate's judge score, 0–1. */
  score: z.number().min(0).max(1).optional(),
  /** The judge's one-line reason for the score. */
  reason: z.string().optional(),
  /** This candidate is the answer shown (best of N). */
  chosen: z.boolean().optional(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

/** What the condense strategy did to the retrieved context. */
export const CondensedSchema = z.object({
  retrievedTokens: z.number().int().nonnegative(),
  sentTokens: z.number().int().nonnegative(),
  /** Retrieved chunks of local-only collections: condensed for nobody, sent to no cloud model. */
  localOnlyWithheld: z.number().int().nonnegative(),
});
export type Condensed = z.infer<typeof CondensedSchema>;

export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** What the request cost in US dollars, when the model's price is known (cloud models). */
  costUsd: z.number().nonnegative().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** How much of the conversation was left out of the prompt. */
export const ContextTrimmedSchema = z.object({ droppedMessages: z.number().int().nonnegative(), droppedTokens: z.number().int().nonnegative() });
export type ContextTrimmed = z.infer<typeof ContextTrimmedSchema>;

/** A tool call's outcome, as streamed and as saved with the message. */
export const ToolCallStatusSchema = z.enum(['done', 'error', 'denied', 'timeout', 'cancelled']);
export type ToolCallStatus = z.infer<typeof ToolCallStatusSchema>;

function ToolResultShape() {
  return {
    toolCallId: z.string(),
    server: z.string(),
    toolName: z.string(),
    status: ToolCallStatusSchema,
    /** The whole result as text, for the user (the model may get a truncated copy). */
    result: z.string(),
    /** The model got only the first part of a huge result, with a notice. */
    truncatedForModel: z.boolean(),
    durationMs: z.number().nonnegative(),
  };
}

/** A tool call saved with the assistant message that made it. */
export const ToolCallRecordSchema = z.object({
  args: z.unknown(),
  ...ToolResultShape(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecordSchema>;

export const StreamPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('reasoning-delta'), text: z.string() }),
  z.object({
    type: z.literal('tool-call'),
    toolCallId: z.string(),
    toolName: z.string(),
    /** Arguments as parsed JSON. */
    args: z.unknown(),
    /** The MCP server the tool belongs to, when the chat's tool loop knows it. */
    server: z.string().optional(),
  }),
  /**
   * The tool loop waits for the user: show an approval card, answer with
   * `chat.approveTool`. Never produced by anything a model or tool says.
   */
  z.object({
    type: z.literal('tool-approval'),
    approvalId: z.string(),
    toolCallId: z.string(),
    server: z.string(),
    toolName: z.string(),
    args: z.unknown(),
  }),
  /** A running tool reported progress (MCP `notifications/progress`). */
  z.object({
    type: z.literal('tool-progress'),
    toolCallId: z.string(),
    progress: z.number(),
    total: z.number().optional(),
    message: z.string().optional(),
  }),
  /** How a tool call ended; the model continues with it. */
  z.object({ type: z.literal('tool-result') }).extend(ToolResultShape()),
  /** The document chunks this answer is grounded in; the text refers to them as [n]. */
  z.object({ type: z.literal('citations'), citations: z.array(CitationSchema) }),
  z.object({ type: z.literal('usage'), usage: UsageSchema }),
  /** The conversation outgrew the context: the oldest messages were left out of the prompt (not deleted). */
  z.object({ type: z.literal('context-trimmed') }).extend(ContextTrimmedSchema.shape),
  /**
   * The request failed before any token and will be tried again after
   * `delayMs` (Retry-After when the provider gave one). `attempt` is the
   * attempt about to start (2 for the first retry), out of `maxAttempts`.
   * Shown live, never saved with the message; text that follows supersedes it.
   */
  z.object({
    type: z.literal('retry'),
    attempt: z.number().int().min(2),
    maxAttempts: z.number().int().min(2),
    delayMs: z.number().nonnegative(),
    code: ErrorCodeSchema,
    message: z.string(),
  }),
  /** Auto's decision: the chosen model, the ranked candidates and every exclusion. Comes first; saved with the answer. */
  z.object({ type: z.literal('route'), decision: RouteDecisionSchema }),
  /** A model failed (after its retries, or its circuit was open) and the next candidate answers. Saved with the answer. */
  z.object({ type: z.literal('fallback') }).extend(FallbackSchema.shape),
  /** The request waits for the provider's concurrency or rate limit; position 1 is next. Shown live, never saved. */
  z.object({ type: z.literal('queued'), provider: z.string(), position: z.number().int().min(1) }),
  /** The answer is replayed from the response cache: it costs nothing (`savedUsd` is what it cost when first asked). */
  z.object({ type: z.literal('cache-hit'), cachedAt: z.string(), savedUsd: z.number().nonnegative() }),
  /** A strategy step starts (draft, refine, condense, candidate, judge); its text streams as `step-delta`. The final answer streams as `text-delta`. */
  z.object({ type: z.literal('step-start'), step: z.number().int().min(0), role: StepRoleSchema, modelId: z.string(), label: z.string() }),
  z.object({ type: z.literal('step-delta'), step: z.number().int().min(0), text: z.string() }),
  /** A step ended; the record is saved with the answer. */
  z.object({ type: z.literal('step-end'), record: StepRecordSchema }),
  /** The condense strategy's context: tokens retrieved vs tokens sent on. Saved with the answer. */
  z.object({ type: z.literal('condensed') }).extend(CondensedSchema.shape),
  z.object({ type: z.literal('finish'), reason: FinishReasonSchema }),
  z.object({
    type: z.literal('error'),
    code: ErrorCodeSchema,
    message: z.string(),
    retryable: z.boolean(),
  }),
]);
export type StreamPart = z.infer<typeof StreamPartSchema>;
export type TextDeltaPart = Extract<StreamPart, { type: 'text-delta' }>;
export type RetryPart = Extract<StreamPart, { type: 'retry' }>;

/**
 * Joins two consecutive parts into one when that loses nothing a reader
 * needs (text and reasoning deltas of the same kind); null when they must
 * stay apart. Transports use it to send fewer, larger messages.
 */
export function mergeStreamParts(previous: StreamPart, next: StreamPart): StreamPart | null {
  if (previous.type === 'text-delta' && next.type === 'text-delta') return { type: 'text-delta', text: previous.text + next.text };
  if (previous.type === 'reasoning-delta' && next.type === 'reasoning-delta') {
    return { type: 'reasoning-delta', text: previous.text + next.text };
  }
  if (previous.type === 'step-delta' && next.type === 'step-delta' && previous.step === next.step) {
    return { type: 'step-delta', step: previous.step, text: previous.text + next.text };
  }
  return null;
}
