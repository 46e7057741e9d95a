import type { ErrorCode, TandemError } from '../../../../shared/ipc/errors';

/**
 * An error the API answers with: an HTTP status and OpenAI's error fields.
 * The Anthropic endpoint renders the same error in its own shape.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = typeForStatus(status),
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Seconds for the Retry-After header (429, 503). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function typeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * How a model's failure (a contract error code) is answered over HTTP.
 *
 * The budget error is answered **402 Payment Required with code
 * `budget_exceeded`** (type `insufficient_quota`): a spending cap set in
 * Tandem refused the paid request, which waiting does not fix (unlike a 429),
 * so clients must not retry it. A provider's rate limit is 429 with
 * Retry-After; content that must stay local is 403 `local_only`.
 */
export function apiErrorOf(error: Pick<TandemError, 'code' | 'message'> & { retryable?: boolean }): ApiError {
  const { code, message } = error;
  const map: Partial<Record<ErrorCode, () => ApiError>> = {
    INVALID_INPUT: () => new ApiError(400, message, 'invalid_request_error', 'invalid_request'),
    UNSUPPORTED: () => new ApiError(400, message, 'invalid_request_error', 'unsupported'),
    CONTEXT_TOO_LONG: () => new ApiError(400, message, 'invalid_request_error', 'context_length_exceeded', 'messages'),
    CONTENT_FILTERED: () => new ApiError(400, message, 'invalid_request_error', 'content_filter'),
    NOT_FOUND: () => new ApiError(404, message, 'invalid_request_error', 'not_found'),
    MODEL_NOT_FOUND: () => new ApiError(404, message, 'invalid_request_error', 'model_not_found', 'model'),
    BUDGET_EXCEEDED: () => new ApiError(402, message, 'insufficient_quota', 'budget_exceeded'),
    LOCAL_ONLY: () => new ApiError(403, message, 'permission_error', 'local_only', 'model'),
    RATE_LIMITED: () => new ApiError(429, message, 'rate_limit_error', 'rate_limit_exceeded', null, 1),
    AUTH: () => new ApiError(502, `The provider refused Tandem's key for it: ${message}`, 'upstream_error', 'provider_auth'),
    TIMEOUT: () => new ApiError(504, message, 'server_error', 'timeout'),
    NETWORK: () => new ApiError(502, message, 'upstream_error', 'provider_unreachable'),
    SERVER: () => new ApiError(502, message, 'upstream_error', 'provider_error'),
    BAD_RESPONSE: () => new ApiError(502, message, 'upstream_error', 'provider_bad_response'),
    NO_MODEL_AVAILABLE: () => new ApiError(503, message, 'server_error', 'no_model_available', 'model'),
    MODEL_LOAD_FAILED: () => new ApiError(503, message, 'server_error', 'model_load_failed', 'model', error.retryable ? 1 : null),
    CANCELLED: () => new ApiError(499, message, 'invalid_request_error', 'cancelled'),
  };
  return map[code]?.() ?? new ApiError(500, message || 'The server had an error while processing your request.', 'server_error', 'internal_error');
}

/** OpenAI's error body. */
export function openAIErrorBody(error: ApiError): { error: { message: string; type: string; param: string | null; code: string | null } } {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

/** Anthropic's error type for a status (https://docs.anthropic.com/en/api/errors). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Anthropic's error body. */
export function anthropicErrorBody(error: ApiError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}
