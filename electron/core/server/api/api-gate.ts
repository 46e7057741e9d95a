import type { ApiRequestLogEntry } from '../../../../shared/ipc/routes/api';

/** Who is calling the API: the key that authenticated the request. */
export interface ApiCaller {
  keyId: string;
  keyName: string;
}

/** Why a request may not run now: a rate limit or a daily quota (answered 429 with Retry-After). */
export interface ApiRefusal {
  kind: 'rate_limit' | 'quota';
  /** Seconds until it may be tried again (Retry-After). */
  retryAfterSeconds: number;
  message: string;
}

/** What a finished API request used, for quotas, per-key usage and the request log. */
export type ApiRequestRecord = Omit<ApiRequestLogEntry, 'keyName'>;

/**
 * The API's door: every request needs a key; each key has limits and usage.
 * The HTTP layer (api-handler) asks it; the key service implements it.
 */
export interface ApiGate {
  /** The caller for a bearer secret (or `x-api-key`); null for a missing, unknown or revoked key. */
  authenticate(secret: string | null): ApiCaller | null;
  /** Before the work: null when the caller may go on, else the refusal (requests per minute, daily tokens or cost). */
  admit(caller: ApiCaller): ApiRefusal | null;
  /**
   * After the work (also for refused and failed requests; caller null for a 401).
   * `persist: false` for a request refused at the door (bad key, Host, Origin,
   * limits): kept in memory for the recent log, never written to disk.
   */
  record(caller: ApiCaller | null, entry: ApiRequestRecord, options?: { persist?: boolean }): void;
  /**
   * Before a model answer (after admit, once the request is known): holds the
   * request's worst case against the key's daily quotas while it runs, so that
   * concurrent or huge requests cannot overrun them. Answers the max tokens the
   * request may use (clamped to what is left) and a release, called when the
   * request is recorded; or a refusal. Optional: a gate without quotas needs none.
   */
  reserve?(caller: ApiCaller, want: ApiReservationRequest): Promise<ApiReservation | ApiRefusal>;
}

export interface ApiReservationRequest {
  /** The answer's max tokens as asked. */
  maxTokens: number;
  /** An estimate of the prompt's tokens. */
  promptTokens: number;
  /** An estimate of the request's cost in USD (asked only for a key with a cost quota); null when unknown. */
  estimateCostUsd: () => Promise<number | null>;
}

export interface ApiReservation {
  /** The max tokens the request may use: as asked, or less when the daily token quota has less left. */
  maxTokens: number;
  /** Ends the hold (idempotent); the request's real use is then counted by `record`. */
  release(): void;
}

export function isRefusal(value: ApiReservation | ApiRefusal): value is ApiRefusal {
  return 'kind' in value;
}
