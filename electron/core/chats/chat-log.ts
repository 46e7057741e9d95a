import { z } from 'zod';
import { ChatMessageSchema, type ChatMessage } from '../../../shared/ipc/domain';
import { ErrorCodeSchema } from '../../../shared/ipc/errors';
import { ContextTrimmedSchema, FinishReasonSchema, ToolCallRecordSchema, UsageSchema } from '../../../shared/ipc/stream-parts';

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
  }),
  z.object({ t: z.literal('tool'), id: z.string(), call: ToolCallRecordSchema }),
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
      } else {
        message.text += record.text ?? '';
        message.status = record.status;
        message.finishReason = record.finishReason;
        message.usage = record.usage;
        message.error = record.error;
        if (record.contextTrimmed) message.contextTrimmed = record.contextTrimmed;
      }
    }
  }
  for (const message of messages) {
    if (message.status === 'streaming') message.status = 'interrupted';
  }
  return { messages, skippedLines };
}
