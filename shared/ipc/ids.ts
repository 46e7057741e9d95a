import { z } from 'zod';

/** Ids are opaque short strings; limits keep fuzzed input cheap to reject. */
export const IdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, _ and -');

/** Chat and collection titles. */
export const TitleSchema = z.string().trim().min(1).max(200);
