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
  /** After the work (also for refused and failed requests; caller null for a 401). */
  record(caller: ApiCaller | null, entry: ApiRequestRecord): void;
}
