import type { ApiKeyLimits } from '../../../../shared/ipc/routes/api';
import type { ApiRefusal } from '../api/api-gate';

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The UTC day of a time, `YYYY-MM-DD`: daily quotas reset at 00:00 UTC. */
export function utcDayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Whole seconds until the next UTC day starts (at least 1). */
export function secondsToNextUtcDay(now: number): number {
  const next = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  return Math.max(1, Math.ceil((next - now) / 1000));
}

/** What one key used on one UTC day. */
export interface DayUsage {
  day: string;
  requests: number;
  tokens: number;
  costUsd: number;
}

export function emptyDay(day: string): DayUsage {
  return { day, requests: 0, tokens: 0, costUsd: 0 };
}

/**
 * The requests a key made in the last minute (a sliding window, not a
 * fixed one: 60 requests at 12:00:59 and 60 more at 12:01:00 is 120 in two
 * seconds, which a per-minute limit should refuse).
 */
export class MinuteWindow {
  private readonly times: number[] = [];

  /** Counts a request at `now` unless `limit` are already in the window; else the seconds until the oldest leaves it. */
  take(now: number, limit: number): number | null {
    while (this.times.length > 0 && (this.times[0] as number) <= now - MINUTE_MS) this.times.shift();
    if (this.times.length >= limit) {
      const oldest = this.times[this.times.length - limit] as number;
      return Math.max(1, Math.ceil((oldest + MINUTE_MS - now) / 1000));
    }
    this.times.push(now);
    return null;
  }

  get size(): number {
    return this.times.length;
  }
}

/**
 * Whether a key may make a request now: its daily token and cost quotas
 * first (they last until the next UTC day), then its requests per minute.
 * A request only counts in the minute window when it is admitted.
 */
export function checkLimits(input: { keyName: string; limits: ApiKeyLimits; today: DayUsage; window: MinuteWindow; now: number }): ApiRefusal | null {
  const { keyName, limits, today, window, now } = input;
  if (limits.dailyTokens !== null && today.tokens >= limits.dailyTokens) {
    const retryAfterSeconds = secondsToNextUtcDay(now);
    return {
      kind: 'quota',
      retryAfterSeconds,
      message: `API key "${keyName}" used its daily quota of ${limits.dailyTokens} tokens (${today.tokens} used today, UTC); it resets in ${describeWait(retryAfterSeconds)}.`,
    };
  }
  if (limits.dailyCostUsd !== null && today.costUsd >= limits.dailyCostUsd) {
    const retryAfterSeconds = secondsToNextUtcDay(now);
    return {
      kind: 'quota',
      retryAfterSeconds,
      message: `API key "${keyName}" used its daily quota of $${limits.dailyCostUsd} ($${today.costUsd.toFixed(4)} spent today, UTC); it resets in ${describeWait(retryAfterSeconds)}.`,
    };
  }
  if (limits.requestsPerMinute !== null) {
    const wait = window.take(now, limits.requestsPerMinute);
    if (wait !== null) {
      return {
        kind: 'rate_limit',
        retryAfterSeconds: wait,
        message: `API key "${keyName}" is limited to ${limits.requestsPerMinute} requests per minute; try again in ${wait} s.`,
      };
    }
  } else {
    window.take(now, Number.POSITIVE_INFINITY);
  }
  return null;
}

function describeWait(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * A quota refusal for a request that does not fit in what is left today.
 * When other requests of the key are in flight, what they hold comes back
 * when they end: a short Retry-After; else the next UTC day.
 */
export function quotaRefusal(keyName: string, limits: ApiKeyLimits, today: DayUsage, now: number, busy: boolean, why: string): ApiRefusal {
  const retryAfterSeconds = busy ? 5 : secondsToNextUtcDay(now);
  const quotas = [limits.dailyTokens !== null ? `${limits.dailyTokens} tokens (${today.tokens} used or held)` : null, limits.dailyCostUsd !== null ? `$${limits.dailyCostUsd} ($${today.costUsd.toFixed(4)} spent or held)` : null]
    .filter(Boolean)
    .join(', ');
  return {
    kind: 'quota',
    retryAfterSeconds,
    message: `API key "${keyName}" has a daily quota of ${quotas} today (UTC): ${why}; ${busy ? 'other requests of this key are still running, try again' : 'it resets'} in ${describeWait(retryAfterSeconds)}.`,
  };
}
