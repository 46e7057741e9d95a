import { mergeStreamParts, type StreamPart } from '../../../shared/ipc/stream-parts';

/** About one display frame: nobody reads faster, and the renderer paints once per frame anyway. */
export const DEFAULT_COALESCE_MS = 16;

/**
 * Sends a stream's parts with at most one message per window: a part that
 * comes after a quiet spell goes out at once (so time to first token is not
 * delayed), parts that follow quickly are merged (consecutive text deltas
 * become one) and sent when the window closes. A fast local model then costs
 * ~60 messages a second instead of one per token; a slow one is not delayed.
 */
export class PartCoalescer {
  private held: Mergeable | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSentAt = -Infinity;

  constructor(
    private readonly send: (part: unknown) => void,
    private readonly windowMs = DEFAULT_COALESCE_MS,
  ) {}

  push(part: unknown): void {
    const streamPart = asMergeable(part);
    if (this.held) {
      const merged = streamPart && mergeParts(this.held, streamPart);
      if (merged) {
        this.held = merged;
        return;
      }
      this.flush();
    }
    const wait = this.lastSentAt + this.windowMs - performance.now();
    if (!streamPart || wait <= 0) {
      this.sendNow(part);
      return;
    }
    this.held = streamPart;
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is held (before an end, or when the window closes). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const held = this.held;
    this.held = null;
    if (held) this.sendNow(held);
  }

  private sendNow(part: unknown): void {
    this.lastSentAt = performance.now();
    this.send(part);
  }
}

/** A compare column's model part (`compare.send`): its text deltas merge like a chat's, within the same column. */
interface ColumnPart {
  type: 'column';
  column: number;
  part: StreamPart;
}
type Mergeable = StreamPart | ColumnPart;

function isDelta(part: unknown): part is StreamPart {
  const type = (part as { type?: unknown } | null)?.type;
  return type === 'text-delta' || type === 'reasoning-delta';
}

function asMergeable(part: unknown): Mergeable | null {
  if (isDelta(part)) return part;
  const column = part as Partial<ColumnPart> | null;
  return column?.type === 'column' && typeof column.column === 'number' && isDelta(column.part) ? (column as ColumnPart) : null;
}

function mergeParts(previous: Mergeable, next: Mergeable): Mergeable | null {
  if (previous.type === 'column' || next.type === 'column') {
    if (previous.type !== 'column' || next.type !== 'column' || previous.column !== next.column) return null;
    const part = mergeStreamParts(previous.part, next.part);
    return part ? { type: 'column', column: previous.column, part } : null;
  }
  return mergeStreamParts(previous, next);
}
