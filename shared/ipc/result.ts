import type { TandemError } from './errors';

/** What every route answers: data or an error, never a throw across the boundary. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: TandemError };

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

export function fail<T = never>(error: TandemError): Result<T> {
  return { ok: false, error };
}
