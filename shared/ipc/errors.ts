import { z } from 'zod';

/**
 * Stable, SCREAMING_SNAKE error codes that cross the contract boundary.
 * A code never changes meaning once shipped; new failures get new codes.
 */
export const ERROR_CODES = [
  /** The route name is not in the contract. */
  'UNKNOWN_ROUTE',
  /** The input did not match the route's schema. */
  'INVALID_INPUT',
  /** A transport message was not a valid envelope. */
  'BAD_MESSAGE',
  /** The thing asked for does not exist (chat, model, stream). */
  'NOT_FOUND',
  /** The work was cancelled by the user. */
  'CANCELLED',
  /** A local model file could not be found or used. */
  'MODEL_NOT_FOUND',
  /** A local model file exists but could not be loaded. */
  'MODEL_LOAD_FAILED',
  /** Generation failed after it started. */
  'GENERATION_FAILED',
  /** The request conflicts with current state (e.g. a turn is already running in this chat). */
  'CONFLICT',
  /** Reading or writing app data failed. */
  'STORAGE_FAILED',
  /** The client lost its connection to the backend (raised on the client side). */
  'DISCONNECTED',
  /** A handler failed in a way nobody planned for. */
  'INTERNAL',
  /** A provider rejected the API key (missing, wrong or without access). */
  'AUTH',
  /** A provider is rate limiting; retryable, `details.retryAfterMs` when it said when. */
  'RATE_LIMITED',
  /** The prompt is longer than the model's context window. */
  'CONTEXT_TOO_LONG',
  /** The provider refused or cut the answer for its content policy. */
  'CONTENT_FILTERED',
  /** No response, or no streamed data, within the time limit. */
  'TIMEOUT',
  /** The provider could not be reached, or the connection broke. */
  'NETWORK',
  /** The provider failed on its side (5xx). */
  'SERVER',
  /** The provider answered something that is not a valid response. */
  'BAD_RESPONSE',
  /** A model download failed (HTTP error, or the server sent something else than asked). */
  'DOWNLOAD_FAILED',
  /** A downloaded (or given) file is not a usable GGUF model. */
  'NOT_GGUF',
  /** The disk is full; free space and resume. */
  'DISK_FULL',
  /** A downloaded file does not match its expected size or checksum. */
  'CHECKSUM_MISMATCH',
  /** This build or mode cannot do that (e.g. opening a file in the system viewer from serve mode). */
  'UNSUPPORTED',
  /** Indexing a collection failed as a whole (single bad files are reported, not failed). */
  'INDEX_FAILED',
  /** An MCP server is not running or could not be reached. */
  'MCP_UNAVAILABLE',
  /** An MCP server answered a request with an error. */
  'MCP_ERROR',
  /** The user denied a tool call. */
  'TOOL_DENIED',
  /** A paid request could break a budget cap (the message names the cap and what is left). */
  'BUDGET_EXCEEDED',
  /** Auto found no model that can take the request (the message says what to do). */
  'NO_MODEL_AVAILABLE',
  /** Content that must stay on this machine (a private chat, a local-only collection) would go to a cloud model. */
  'LOCAL_ONLY',
  /** One connection has too many requests or streams open at once; wait for some to finish (retryable). */
  'TOO_MANY_OPEN',
  /** The action is not allowed from this client or for this target (e.g. a setting only the desktop window may confirm). */
  'FORBIDDEN',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The error shape every transport delivers; never carries a stack or a secret. */
export const TandemErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  retryable: z.boolean().default(false),
  /** Optional structured detail, e.g. the validation issues for INVALID_INPUT. */
  details: z.unknown().optional(),
});
export type TandemError = z.infer<typeof TandemErrorSchema>;

/** An Error that carries a contract error code; core services throw it, the router turns it into a result. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  toJSON(): TandemError {
    return { code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** Turns anything thrown into a contract error without leaking stacks. */
export function toTandemError(error: unknown): TandemError {
  if (error instanceof CodedError) return error.toJSON();
  if (error instanceof Error && error.name === 'AbortError') {
    return { code: 'CANCELLED', message: 'Cancelled', retryable: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: message || 'Unexpected error', retryable: false };
}
