import { tokensEqual } from '../security';
import type { ApiCaller, ApiGate, ApiRefusal, ApiRequestRecord } from './api-gate';

/** How many requests the in-memory log keeps. */
const LOG_SIZE = 500;

/**
 * The simplest gate: one secret (`--api-key`, `TANDEM_API_KEY`, or a test's),
 * no limits. Requests are kept in a small in-memory ring (newest last) for
 * whoever wants to show or assert them.
 */
export class StaticKeyGate implements ApiGate {
  private readonly caller: ApiCaller;
  private readonly log: (ApiRequestRecord & { keyName: string | null })[] = [];

  constructor(
    private readonly secret: string,
    name = 'default',
  ) {
    if (secret.length === 0) throw new Error('An API key cannot be empty');
    this.caller = { keyId: 'static', keyName: name };
  }

  authenticate(secret: string | null): ApiCaller | null {
    return tokensEqual(this.secret, secret) ? this.caller : null;
  }

  admit(_caller: ApiCaller): ApiRefusal | null {
    return null;
  }

  record(caller: ApiCaller | null, entry: ApiRequestRecord, _options?: { persist?: boolean }): void {
    this.log.push({ ...entry, keyName: caller?.keyName ?? null });
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  /** The latest requests, oldest first. */
  recent(): readonly (ApiRequestRecord & { keyName: string | null })[] {
    return this.log;
  }
}
