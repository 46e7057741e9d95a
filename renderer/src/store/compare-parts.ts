import type { ChatMessage } from '../../../shared/ipc/domain';
import type { AnswerStats, ComparePart } from '../../../shared/ipc/routes/compare';
import type { RetryPart } from '../../../shared/ipc/stream-parts';
import { applyParts, endMessage, type LiveToolCall, type QueuedState } from './stream-reducer';

/** Why a column is not streaming yet (`column-wait`). */
export interface ColumnWait {
  wait: 'memory' | 'queue';
  message: string;
}

/** One column of a running compare, as its parts arrive. */
export interface LiveCompareColumn {
  column: number;
  label: string;
  /** The model asked (may be `auto`). */
  modelId: string;
  /** The growing assistant message of this column. */
  message: ChatMessage;
  reasoning: string;
  retry: RetryPart | null;
  queued: QueuedState | null;
  tools: LiveToolCall[];
  stats: AnswerStats | null;
  wait: ColumnWait | null;
  /** Its own Stop was pressed; waiting for its end. */
  stopping: boolean;
  /** Its `finish` or `error` part came (or the whole stream ended). */
  ended: boolean;
}

/** Applies one frame's worth of compare parts to the columns, in order. */
export function applyCompareParts(columns: readonly LiveCompareColumn[], parts: readonly ComparePart[]): LiveCompareColumn[] {
  const next = columns.slice();
  const at = (column: number) => next.findIndex((c) => c.column === column);
  for (const part of parts) {
    const index = at(part.column);
    const before = next[index];
    if (!before) continue;
    switch (part.type) {
      case 'column': {
        const applied = applyParts(before, [part.part]);
        const ended = part.part.type === 'finish' || part.part.type === 'error';
        let message = applied.message;
        if (ended) message = endMessage(message, { status: part.part.type === 'error' ? 'failed' : 'completed' });
        next[index] = { ...before, ...applied, tools: applied.tools, message, ended: before.ended || ended, wait: part.part.type === 'text-delta' ? null : before.wait };
        break;
      }
      case 'column-stats':
        next[index] = { ...before, stats: part.stats, message: { ...before.message, compare: before.message.compare ? { ...before.message.compare, stats: part.stats } : undefined } };
        break;
      case 'column-wait':
        next[index] = { ...before, wait: part.wait ? { wait: part.wait, message: part.message } : null };
        break;
    }
  }
  return next;
}
