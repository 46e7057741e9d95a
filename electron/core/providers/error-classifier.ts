import OpenAI from 'openai';
import { CodedError, type ErrorCode } from '../../../shared/ipc/errors';
import { redact } from './secret-store';

/** A provider failure in contract terms; `retryAfterMs` when the provider said how long to wait. */
export class ProviderError extends CodedError {
  readonly retryAfterMs: number | null;
  constructor(code: ErrorCode, message: string, options: { retryable: boolean; retryAfterMs?: number | null; status?: number | null }) {
    super(code, message, {
      retryable: options.retryable,
      details: { status: options.status ?? null, ...(options.retryAfterMs != null ? { retryAfterMs: options.retryAfterMs } : {}) },
    });
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'TIMEOUT', 'NETWORK', 'SERVER']);

export function providerError(code: ErrorCode, message: string, extra: { retryAfterMs?: number | null; status?: number | null } = {}): ProviderError {
  return new ProviderError(code, message, { retryable: RETRYABLE.has(code), ...extra });
}

/**
 * Turns whatever the SDK or the network threw into a stable code. Messages
 * are redacted: a provider may echo the key back ("Incorrect API key provided: sk-…").
 */
export function classifyError(error: unknown, context: { provider: string; model: string; secrets: readonly string[] }): ProviderError {
  if (error instanceof ProviderError) return error;
  const clean = (text: string) => redact(text, context.secrets).slice(0, 500);
  if (error instanceof OpenAI.APIUserAbortError) return providerError('CANCELLED', 'Cancelled');
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return providerError('TIMEOUT', `${context.provider} did not answer in time`);
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const body = (error.error ?? {}) as { code?: unknown; type?: unknown; message?: unknown };
    const providerMessage = clean(typeof body.message === 'string' ? body.message : error.message);
    const code = `${String(body.code ?? '')} ${String(body.type ?? '')} ${providerMessage}`.toLowerCase();
    if (/context_length|context length|maximum context|too many tokens|prompt is too long/.test(code)) {
      return providerError('CONTEXT_TOO_LONG', `The conversation is longer than ${context.model} can take: ${providerMessage}`, { status });
    }
    if (/content_filter|content_policy|safety|moderation/.test(code)) {
      return providerError('CONTENT_FILTERED', `${context.provider} refused the request for its content policy: ${providerMessage}`, { status });
    }
    if (status === 401 || status === 403) {
      return providerError('AUTH', `${context.provider} rejected the API key (${status}): ${providerMessage}. Check the key with tandem providers test ${context.provider}`, { status });
    }
    if (status === 404) {
      return providerError('MODEL_NOT_FOUND', `${context.provider} has no model "${context.model}" (404): ${providerMessage}`, { status });
    }
    if (status === 429) {
      return providerError('RATE_LIMITED', `${context.provider} is rate limiting requests: ${providerMessage}`, {
        status,
        retryAfterMs: retryAfterMs(error.headers),
      });
    }
    if (status === 408) return providerError('TIMEOUT', `${context.provider} timed out (408)`, { status });
    if (status === 400 || status === 422) return providerError('BAD_RESPONSE', `${context.provider} rejected the request (${status}): ${providerMessage}`, { status });
    if (status >= 500) return providerError('SERVER', `${context.provider} failed on its side (${status}): ${providerMessage}`, { status });
    return providerError('BAD_RESPONSE', `${context.provider} answered ${status}: ${providerMessage}`, { status });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return providerError('NETWORK', `Could not reach ${context.provider}: ${clean(causeMessage(error))}`);
  }
  if (error instanceof SyntaxError || (error instanceof OpenAI.OpenAIError && /JSON|parse/i.test(error.message))) {
    return providerError('BAD_RESPONSE', `${context.provider} sent a response Tandem could not read: ${clean(error.message)}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && (error.name === 'AbortError' || /aborted/i.test(message))) return providerError('CANCELLED', 'Cancelled');
  if (/terminated|socket|ECONNRESET|other side closed|network|fetch failed/i.test(`${message} ${causeMessage(error)}`)) {
    return providerError('NETWORK', `The connection to ${context.provider} broke: ${clean(causeMessage(error) || message)}`);
  }
  return providerError('BAD_RESPONSE', `${context.provider} failed: ${clean(message)}`);
}

function causeMessage(error: unknown): string {
  let cause = (error as { cause?: unknown } | null)?.cause;
  const parts: string[] = [];
  while (cause instanceof Error && parts.length < 3) {
    parts.push(cause.message);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

/** `retry-after-ms`, then `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
