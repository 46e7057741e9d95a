import { CodedError } from '../../../shared/ipc/errors';
import type { PresetId } from '../../../shared/ipc/routes/providers';
import { DEFAULT_PROVIDER_LIMITS, type ProviderLimits } from '../../../shared/ipc/routes/routing';

export { DEFAULT_PROVIDER_LIMITS };

/** The provider's limits: its settings entry when there is one, else its preset's defaults. */
export function providerLimitsFor(provider: string, preset: PresetId, configured: Record<string, ProviderLimits>): ProviderLimits {
  return configured[provider] ?? DEFAULT_PROVIDER_LIMITS[preset];
}

const MINUTE_MS = 60_000;

/** Gives the slot back; calling it again does nothing. */
export type QueueRelease = () => void;

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Called whenever this waiter's place in line changes (1 is next); not called when the slot is free at once. */
  onPosition?: (position: number) => void;
}

interface Waiter {
  grant: (release: QueueRelease) => void;
  reject: (error: unknown) => void;
  onPosition?: (position: number) => void;
  position: number;
  cleanup: () => void;
}

interface Line {
  active: number;
  /** When each request in the last minute started, oldest first. */
  starts: number[];
  waiters: Waiter[];
  timer: NodeJS.Timeout | null;
}

export interface ProviderQueueOptions {
  limits: (provider: string) => ProviderLimits;
  now?: () => number;
}

/**
 * Per-provider admission: at most `concurrency` requests in flight and at
 * most `requestsPerMinute` started in any sliding 60 s window. Waiters are
 * served first in, first out, and told their position as it changes.
 */
export class ProviderQueue {
  private readonly lines = new Map<string, Line>();
  private readonly now: () => number;
  private disposed = false;

  constructor(private readonly options: ProviderQueueOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /**
   * Waits for a slot for `provider`. Resolves with the release function;
   * rejects with CANCELLED when `signal` aborts first (the waiter leaves the line).
   */
  acquire(provider: string, options: AcquireOptions = {}): Promise<QueueRelease> {
    const { signal, onPosition } = options;
    if (this.disposed) return Promise.reject(new CodedError('CANCELLED', 'The request queue is closed'));
    if (signal?.aborted) return Promise.reject(cancelled(provider));
    const line = this.line(provider);
    return new Promise<QueueRelease>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          waiter.cleanup();
          resolve(release);
        },
        reject: (error) => {
          waiter.cleanup();
          reject(error);
        },
        onPosition,
        position: 0,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      const onAbort = () => {
        const index = line.waiters.indexOf(waiter);
        if (index < 0) return;
        line.waiters.splice(index, 1);
        waiter.reject(cancelled(provider));
        this.pump(provider);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      line.waiters.push(waiter);
      this.pump(provider);
    });
  }

  /** Requests in flight and waiting, per provider with any. */
  stats(): Record<string, { active: number; waiting: number }> {
    const out: Record<string, { active: number; waiting: number }> = {};
    for (const [provider, line] of this.lines) if (line.active > 0 || line.waiters.length > 0) out[provider] = { active: line.active, waiting: line.waiters.length };
    return out;
  }

  /** Rejects every waiter with CANCELLED and stops the timers; idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const [provider, line] of this.lines) {
      if (line.timer) clearTimeout(line.timer);
      line.timer = null;
      for (const waiter of line.waiters.splice(0)) waiter.reject(cancelled(provider));
    }
  }

  private pump(provider: string): void {
    const line = this.line(provider);
    if (this.disposed) return;
    const { concurrency, requestsPerMinute } = this.options.limits(provider);
    const now = this.now();
    while (line.starts.length > 0 && line.starts[0]! <= now - MINUTE_MS) line.starts.shift();
    while (line.waiters.length > 0 && line.active < concurrency && line.starts.length < requestsPerMinute) {
      const waiter = line.waiters.shift()!;
      line.active += 1;
      line.starts.push(now);
      let released = false;
      waiter.grant(() => {
        if (released) return;
        released = true;
        line.active -= 1;
        this.pump(provider);
      });
    }
    line.waiters.forEach((waiter, index) => {
      if (waiter.position === index + 1) return;
      waiter.position = index + 1;
      waiter.onPosition?.(waiter.position);
    });
    // Blocked by the rate limit alone: wake when the oldest start leaves the window.
    if (line.timer) clearTimeout(line.timer);
    line.timer = null;
    if (line.waiters.length > 0 && line.active < concurrency && line.starts.length >= requestsPerMinute) {
      line.timer = setTimeout(() => {
        line.timer = null;
        this.pump(provider);
      }, Math.max(1, line.starts[0]! + MINUTE_MS - now));
    }
  }

  private line(provider: string): Line {
    let line = this.lines.get(provider);
    if (!line) {
      line = { active: 0, starts: [], waiters: [], timer: null };
      this.lines.set(provider, line);
    }
    return line;
  }
}

function cancelled(provider: string): CodedError {
  return new CodedError('CANCELLED', `Cancelled while waiting for ${provider}`);
}
