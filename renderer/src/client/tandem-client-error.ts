import type { ErrorCode, TandemError } from '../../../shared/ipc/errors';

/** The contract's codes, plus the one failure only a client can see: the link dropped. */
export type ClientErrorCode = ErrorCode | 'DISCONNECTED';

/** Thrown by TandemClient when a route answers `ok: false` or the connection drops. */
export class TandemClientError extends Error {
  readonly code: ClientErrorCode;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(code: ClientErrorCode, message: string, options: { retryable?: boolean; details?: unknown } = {}) {
    super(message);
    this.name = 'TandemClientError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  static from(error: TandemError): TandemClientError {
    return new TandemClientError(error.code, error.message, { retryable: error.retryable, details: error.details });
  }
}

/** A message a person can read, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof TandemClientError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
