/** Schedules a callback for the next frame; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

/** How long to wait for a frame before flushing anyway: hidden tabs get no frames. */
const HIDDEN_TAB_FALLBACK_MS = 250;

export const animationFrameScheduler: FrameScheduler = (callback) => {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    callback();
  };
  const frame = requestAnimationFrame(run);
  const timer = setTimeout(run, HIDDEN_TAB_FALLBACK_MS);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
};

/**
 * Collects items (stream parts) and hands them over together at most once per
 * animation frame, so a fast model causes one store update per frame rather
 * than one React render per token.
 */
export class FrameBatcher<T> {
  private items: T[] = [];
  private cancelScheduled: (() => void) | null = null;

  constructor(
    private readonly flushItems: (items: T[]) => void,
    private readonly schedule: FrameScheduler = animationFrameScheduler,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.cancelScheduled ??= this.schedule(() => {
      this.cancelScheduled = null;
      this.flush();
    });
  }

  /** Hands over whatever is waiting now (e.g. before applying a stream's end). */
  flush(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.flushItems(batch);
  }

  dispose(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
    this.items = [];
  }
}
