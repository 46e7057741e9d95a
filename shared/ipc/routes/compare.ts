import { z } from 'zod';
import { IdSchema } from '../ids';
import { request, stream } from '../route-def';
import { AnswerStatsSchema, StreamPartSchema } from '../stream-parts';

/** What a prompt is about, detected from its text (and whether the chat answers from documents). */
export const TaskTagSchema = z.enum(['code', 'math', 'writing', 'summarising', 'documents', 'other']);
export type TaskTag = z.infer<typeof TaskTagSchema>;
export const TASK_TAGS = TaskTagSchema.options;

/** Models in one compare: two to four, local, cloud or Auto. */
export const CompareModelIdsSchema = z.array(z.string().min(1).max(1024)).min(2).max(4);

export { AnswerStatsSchema, type AnswerStats } from '../stream-parts';

/** The verdict on a compare: one column's index, or "tie", or "all-bad". */
export const CompareVerdictSchema = z.union([z.number().int().min(0).max(3), z.literal('tie'), z.literal('all-bad')]);
export type CompareVerdict = z.infer<typeof CompareVerdictSchema>;

/**
 * Saved on each assistant message of a compare (one message per column,
 * all after the same user message). Before a vote in blind mode the UI shows
 * only `label`.
 */
export const CompareMessageInfoSchema = z.object({
  groupId: z.string(),
  /** 0-based position of the column, left to right. */
  column: z.number().int().min(0).max(3),
  /** "A", "B", "C", "D". */
  label: z.string(),
  blind: z.boolean(),
  stats: AnswerStatsSchema.optional(),
  /** The verdict of the group, once voted (the same on every column of the group). */
  verdict: CompareVerdictSchema.optional(),
  /** "Continue with this answer": this column is the chat's reply; the others stay, collapsed. */
  chosen: z.boolean().optional(),
});
export type CompareMessageInfo = z.infer<typeof CompareMessageInfoSchema>;

/** The columns of a started compare, in display order (shuffled in blind mode). */
export const CompareColumnSchema = z.object({
  column: z.number().int().min(0).max(3),
  label: z.string(),
  messageId: z.string(),
  /** The model asked (may be `auto`; the `route` part then names the pick). */
  modelId: z.string(),
});
export type CompareColumn = z.infer<typeof CompareColumnSchema>;

/** Why a column is not streaming yet. */
export const ColumnWaitSchema = z.enum(['memory', 'queue']);

/**
 * What a compare streams: each column's model parts wrapped with its index,
 * its live stats, and its waits. Every column ends with its own `finish` or
 * `error` part; the stream ends when all have.
 */
export const ComparePartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('column'), column: z.number().int().min(0).max(3), part: StreamPartSchema }),
  /** Live numbers, at most a few times a second, and once more at the end (then saved). */
  z.object({ type: z.literal('column-stats'), column: z.number().int().min(0).max(3), stats: AnswerStatsSchema }),
  /**
   * The column waits: `memory` when a local model cannot be loaded beside
   * the others ("Waiting for memory"; it runs after them); `queue` behind a
   * provider's limits. Null `wait`: it started.
   */
  z.object({ type: z.literal('column-wait'), column: z.number().int().min(0).max(3), wait: ColumnWaitSchema.nullable(), message: z.string() }),
]);
export type ComparePart = z.infer<typeof ComparePartSchema>;

/** One model's standing from pairwise results (compare votes, judge scores, lab tasks). */
export const LeaderboardRowSchema = z.object({
  modelId: z.string(),
  wins: z.number().int().nonnegative(),
  losses: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  /** Bradley–Terry rating on the Elo scale (1000 = average). */
  rating: z.number(),
  /** 95% interval of the rating. */
  ratingLow: z.number(),
  ratingHigh: z.number(),
});
export type LeaderboardRow = z.infer<typeof LeaderboardRowSchema>;

export const LeaderboardSchema = z.object({
  tag: TaskTagSchema.nullable(),
  /** Best rating first. */
  rows: z.array(LeaderboardRowSchema),
  /** Pairwise comparisons behind the table. */
  comparisons: z.number().int().nonnegative(),
  /** Comparisons per tag, for the tag filter. */
  byTag: z.record(TaskTagSchema, z.number().int().nonnegative()),
});
export type Leaderboard = z.infer<typeof LeaderboardSchema>;

const GroupRef = { chatId: IdSchema, groupId: z.string().min(1).max(128) };

export const compareRoutes = {
  /**
   * Sends one prompt to 2–4 models and streams their answers side by side.
   * Saves the user message and one assistant message per column, and
   * remembers the models (and blind mode) in the chat's settings. Cloud
   * columns run in parallel; local models that cannot share memory run one
   * after another. A failing column ends with its error; the others go on.
   */
  'compare.send': stream(
    z.strictObject({
      chatId: IdSchema,
      text: z.string().trim().min(1).max(200_000),
      modelIds: CompareModelIdsSchema,
      /** Label the columns A, B, … (shuffled) until the vote. */
      blind: z.boolean().optional(),
    }),
    z.object({ userMessageId: z.string(), groupId: z.string(), columns: z.array(CompareColumnSchema) }),
    ComparePartSchema,
  ),
  /**
   * Stops one column of a running compare (named by its chat and `groupId`,
   * from `compare.send`'s info); the others go on. `stopped` is false when it
   * had ended. Stop for the whole compare is `stream.cancel`.
   */
  'compare.stopColumn': request(z.strictObject({ ...GroupRef, column: z.number().int().min(0).max(3) }), z.object({ stopped: z.boolean() })),
  /**
   * The user's verdict: the best column, a tie, or all bad. Saved with the
   * messages (a later vote replaces it) and written to the router's outcomes
   * (the winner above the others for this prompt).
   */
  'compare.vote': request(z.strictObject({ ...GroupRef, verdict: CompareVerdictSchema }), z.object({ verdict: CompareVerdictSchema })),
  /** "Continue with this answer": the column becomes the chat's reply and the chat goes on with its model. */
  'compare.choose': request(z.strictObject({ ...GroupRef, column: z.number().int().min(0).max(3) }), z.object({ modelId: z.string() })),
  /** Wins, losses, ties and ratings per model, overall or for one task tag. */
  'compare.leaderboard': request(z.strictObject({ tag: TaskTagSchema.optional() }), LeaderboardSchema),
} as const;
