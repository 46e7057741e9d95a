/**
 * One local model call at a time, across a whole lab run (answers and local
 * judges alike): two cores gain nothing from more, and time to first token
 * would measure the wait. Waiters are served in order.
 */
export class LocalSlot {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** Resolves with the release function, or null when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<(() => void) | null> {
    if (signal.aborted) return Promise.resolve(null);
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', abort);
        resolve(this.releaser());
      };
      const abort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(null);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    };
  }
}
