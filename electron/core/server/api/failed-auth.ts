const MINUTE_MS = 60_000;
/** Addresses remembered at most; past it the ones with the oldest failures are forgotten. */
const MAX_ADDRESSES = 10_000;

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^::ffff:/i, '');
  return bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * Failed key attempts per remote address in a sliding minute: past
 * `perMinute` the address is answered 429 without its key being checked
 * until its oldest failure leaves the window.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the address must wait (null: it may try). */
  blockedFor(address: string): number | null {
    const times = this.recent(address);
    if (!times || times.length < this.perMinute) return null;
    const oldest = times[times.length - this.perMinute] as number;
    return Math.max(1, Math.ceil((oldest + MINUTE_MS - this.now()) / 1000));
  }

  fail(address: string): void {
    const times = this.recent(address) ?? [];
    times.push(this.now());
    // Only the last `perMinute` failures matter.
    if (times.length > this.perMinute) times.splice(0, times.length - this.perMinute);
    this.failures.delete(address);
    this.failures.set(address, times);
    while (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(address: string): number[] | null {
    const times = this.failures.get(address);
    if (!times) return null;
    const cutoff = this.now() - MINUTE_MS;
    while (times.length > 0 && (times[0] as number) <= cutoff) times.shift();
    if (times.length === 0) {
      this.failures.delete(address);
      return null;
    }
    return times;
  }
}
