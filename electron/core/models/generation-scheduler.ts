import { CodedError } from '../../../shared/ipc/errors';

interface Ticket {
  key: string;
  start: () => void;
  cancel: (error: Error) => void;
}

/**
 * Decides when local work runs. Work on one key (a loaded model) runs up to
 * its capacity at once (the context sequences node-llama-cpp batches
 * together); work on different keys takes turns, first come first served, so
 * two models never compete for the same cores or memory. A waiting request
 * whose signal aborts leaves the queue at once.
 */
export class GenerationScheduler {
  private readonly waiting: Ticket[] = [];
  private runningKey: string | null = null;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  /** `capacity(key)`: how many may run on the key at once right now (1 until its model has loaded). */
  constructor(private readonly capacity: (key: string) => number) {}

  /** Waits for a turn on `key`; resolves with the function that ends the turn (call it exactly once). */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new CodedError('CANCELLED', 'Cancelled while waiting for the model'));
    return new Promise<() => void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(ticket);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(new CodedError('CANCELLED', 'Cancelled while waiting for the model'));
        // the head may have changed
        this.pump();
      };
      const ticket: Ticket = {
        key,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.running--;
            if (this.running === 0) this.runningKey = null;
            this.pump();
          });
        },
        cancel: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(ticket);
      this.pump();
    });
  }

  /** Runs `work` in a turn on `key`. */
  async run<T>(key: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(key, signal);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Starts whatever may start now (call after a key's capacity grew, e.g. its model loaded). */
  pump(): void {
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      if (this.runningKey !== null && (this.runningKey !== head.key || this.running >= Math.max(1, this.capacity(head.key)))) break;
      this.waiting.shift();
      this.runningKey = head.key;
      this.running++;
      head.start();
    }
    if (this.running === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** How many run on `key` now. */
  activeOn(key: string): number {
    return this.runningKey === key ? this.running : 0;
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses everything still waiting (shutdown). */
  cancelWaiting(error: Error): void {
    const tickets = this.waiting.splice(0, this.waiting.length);
    for (const ticket of tickets) ticket.cancel(error);
    this.pump();
  }
}
