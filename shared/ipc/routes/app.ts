import { z } from 'zod';
import { request } from '../route-def';

/**
 * Something the user must know about the app itself, shown as a banner in the
 * window (and printed by the CLI): a config file that could not be used and
 * was kept aside, a settings write that failed.
 */
export const AppNoticeSchema = z.object({
  id: z.string(),
  level: z.enum(['warning', 'error']),
  /** One sentence: what happened, what was kept and where, what to do. */
  message: z.string(),
  /** The file concerned, when there is one. */
  file: z.string().nullable(),
  /** Where the unusable file's content was kept (`NAME.invalid-<time>`), when it was. */
  keptAs: z.string().nullable(),
  createdAt: z.string(),
});
export type AppNotice = z.infer<typeof AppNoticeSchema>;

export const appRoutes = {
  /** Notices not yet dismissed, oldest first. */
  'app.notices': request(z.strictObject({}), z.array(AppNoticeSchema)),
  /** Hides a notice for every window; `dismissed` is false when there was none with that id. */
  'app.dismissNotice': request(z.strictObject({ id: z.string().min(1).max(100) }), z.object({ dismissed: z.boolean() })),
} as const;

export const appEvents = {
  /** A new notice (also listed by app.notices until dismissed). */
  'app.notice': AppNoticeSchema,
} as const;
