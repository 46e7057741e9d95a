import { z } from 'zod';
import { ChatMessageSchema, type ChatMessage } from '../../../shared/ipc/domain';
import { ErrorCodeSchema } from '../../../shared/ipc/errors';
import { FallbackSchema, RouteDecisionSchema } from '../../../shared/ipc/routes/routing';
import { CondensedSchema, ContextTrimmedSchema, FinishReasonSchema, StepRecordSchema, ToolCallRecordSchema, UsageSchema } from '../../../shared/ipc/stream-parts';
import { AnswerStatsSchema, CompareVerdictSchema } from '../../../shared/ipc/routes/compare';

/**
 * One line of a chat's append-only `messages.jsonl`. A message is opened with
 * `msg`, grows with `delta` records while it streams, and is closed by `end`.
 * A message with no `end` after a crash is shown as interrupted, with the
 * text it had. A `tool` record adds one finished tool call to the message
 * (written, and fsynced, as soon as the call ends).
 */
export const ChatLogRecordSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('msg'), message: ChatMessageSchema }),
  z.object({ t: z.literal('delta'), id: z.string(), text: z.string() }),
  z.object({
    t: z.literal('end'),
    id: z.string(),
    /** The last streamed text, saved with the end in one write. */
    text: z.string().optional(),
    status: z.enum(['complete', 'cancelled', 'error']),
    finishReason: FinishReasonSchema.nullable(),
    usage: UsageSchema.nullable(),
    error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
    contextTrimmed: ContextTrimmedSchema.optional(),
    /** The answer was replayed from the response cache. */
    cached: z.boolean().optional(),
  }),
  z.object({ t: z.literal('tool'), id: z.string(), call: ToolCallRecordSchema }),
  /** Auto's decision for the message (written before its first token). */
  z.object({ t: z.literal('route'), id: z.string(), decision: RouteDecisionSchema }),
  /** A model failed and the next candidate took over. */
  z.object({ t: z.literal('fallback'), id: z.string(), fallback: FallbackSchema }),
  /** The user's vote on an answer; null takes it back. The last one wins. */
  z.object({ t: z.literal('vote'), id: z.string(), vote: z.enum(['good', 'bad']).nullable() }),
  /** A compare column's final stats, the group's verdict, or "Continue with this answer" (chosen). Fields given replace earlier ones. */
  z.object({
    t: z.literal('compare'),
    id: z.string(),
    stats: AnswerStatsSchema.optional(),
    verdict: CompareVerdictSchema.nullable().optional(),
    chosen: z.boolean().optional(),
  }),
  /** A finished strategy step (written when it ends). */
  z.object({ t: z.literal('step'), id: z.string(), record: StepRecordSchema }),
  /** The condense strategy's token counts. */
  z.object({ t: z.literal('condensed'), id: z.string(), condensed: CondensedSchema }),
]);
export type ChatLogRecord = z.infer<typeof ChatLogRecordSchema>;

export interface ReplayResult {
  messages: ChatMessage[];
  /** Lines that could not be parsed (a torn last line after a crash, or damage). */
  skippedLines: number;
}

/** Rebuilds the message list from log text; tolerant of a torn final line. */
export function replayChatLog(text: string): ReplayResult {
  const messages: ChatMessage[] = [];
  const byId = new Map<string, ChatMessage>();
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let record: ChatLogRecord;
    try {
      const parsed = ChatLogRecordSchema.safeParse(JSON.parse(line));
      if (!parsed.success) {
        skippedLines++;
        continue;
      }
      record = parsed.data;
    } catch {
      skippedLines++;
      continue;
    }
    if (record.t === 'msg') {
      const message = { ...record.message };
      byId.set(message.id, message);
      messages.push(message);
    } else {
      const message = byId.get(record.id);
      if (!message) {
        skippedLines++;
        continue;
      }
      if (record.t === 'delta') {
        message.text += record.text;
      } else if (record.t === 'tool') {
        message.toolCalls = [...(message.toolCalls ?? []), record.call];
      } else if (record.t === 'route') {
        message.route = record.decision;
      } else if (record.t === 'fallback') {
        message.fallbacks = [...(message.fallbacks ?? []), record.fallback];
      } else if (record.t === 'vote') {
        if (record.vote) message.vote = record.vote;
        else delete message.vote;
      } else if (record.t === 'compare') {
        if (!message.compare) {
          skippedLines++;
          continue;
        }
        const info = { ...message.compare };
        if (record.stats) info.stats = record.stats;
        if (record.verdict === null) delete info.verdict;
        else if (record.verdict !== undefined) info.verdict = record.verdict;
        if (record.chosen !== undefined) {
          if (record.chosen) info.chosen = true;
          else delete info.chosen;
        }
        message.compare = info;
      } else if (record.t === 'step') {
        message.steps = [...(message.steps ?? []).filter((s) => s.step !== record.record.step), record.record].sort((a, b) => a.step - b.step);
      } else if (record.t === 'condensed') {
        message.condensed = record.condensed;
      } else {
        message.text += record.text ?? '';
        message.status = record.status;
        message.finishReason = record.finishReason;
        message.usage = record.usage;
        message.error = record.error;
        if (record.contextTrimmed) message.contextTrimmed = record.contextTrimmed;
        if (record.cached) message.cached = true;
      }
    }
  }
  for (const message of messages) {
    if (message.status === 'streaming') message.status = 'interrupted';
  }
  return { messages, skippedLines };
}
