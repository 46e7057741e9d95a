import type { z } from 'zod';
import type { RequestRouteDef, StreamRouteDef } from './contract';

/** Builds a request route definition (for route files spread into `contract`). */
export const request = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): RequestRouteDef<I, O> => ({
  kind: 'request',
  input,
  output,
});

/** Builds a stream route definition (for route files spread into `contract`). */
export const stream = <I extends z.ZodType, O extends z.ZodType, P extends z.ZodType>(
  input: I,
  output: O,
  part: P,
): StreamRouteDef<I, O, P> => ({ kind: 'stream', input, output, part });
