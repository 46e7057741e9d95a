import type { z } from 'zod';

/** A request route: one input, one answer. */
export interface RequestRouteDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  kind: 'request';
  input: I;
  output: O;
}

/** A stream route: answers at once with `output`, then streams `part`s. */
export interface StreamRouteDef<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  kind: 'stream';
  input: I;
  /** What the route answers before the first part (ids the client needs). */
  output: O;
  /** The schema of each streamed part. */
  part: P;
}

export const request = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): RequestRouteDef<I, O> => ({
  kind: 'request',
  input,
  output,
});

export const stream = <I extends z.ZodType, O extends z.ZodType, P extends z.ZodType>(
  input: I,
  output: O,
  part: P,
): StreamRouteDef<I, O, P> => ({ kind: 'stream', input, output, part });
