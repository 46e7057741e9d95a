import { constants } from 'node:fs';
import { copyFile, readFile, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';

/** Why a config file could not be used and where its content was kept (shown to the user as an app notice). */
export interface ConfigFileProblem {
  /** The file's name, e.g. `providers.json`. */
  file: string;
  /** Full path of the unusable file as it was. */
  path: string;
  /** Where its content now is: `NAME.invalid-<time>` beside it. */
  keptAs: string;
  /** What was wrong with it ("not valid JSON", the first schema issue). */
  reason: string;
  /** One sentence a person can act on. */
  message: string;
}

export interface LoadConfigOptions<T> {
  /** Validates (and may transform) the parsed JSON. */
  schema: z.ZodType<T>;
  /** Fills in fields added since the file was written, before the schema runs. */
  migrate?: (value: unknown) => unknown;
  /** What the app does instead, for the message: "Tandem started with no providers". */
  fallback: string;
  /** The clock, for the kept-aside name (tests pin it). */
  now?: () => Date;
}

export type ConfigLoadResult<T> =
  | { status: 'missing' }
  | { status: 'loaded'; value: T }
  | { status: 'invalid'; problem: ConfigFileProblem };

/**
 * The one loader for the user's config files (providers.json,
 * mcp-servers.json, settings.json, documents/collections.json). A missing
 * file is "no config yet". A file that is not valid JSON, or fails its
 * schema, is moved aside to `NAME.invalid-<time>` (never over an existing
 * file) so the next save cannot overwrite what the user had, and the caller
 * starts with defaults and tells the user. Read errors other than a missing
 * file (permissions, I/O) are thrown: starting empty over an unreadable file
 * would hide it.
 */
export async function loadConfigFile<T>(path: string, options: LoadConfigOptions<T>): Promise<ConfigLoadResult<T>> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    throw error;
  }
  let reason: string;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  if (json === undefined) {
    reason = raw.trim() === '' ? 'it is empty' : 'it is not valid JSON';
  } else {
    const parsed = options.schema.safeParse(options.migrate ? options.migrate(json) : json);
    if (parsed.success) return { status: 'loaded', value: parsed.data };
    const issue = parsed.error.issues[0];
    reason = `it does not match the expected format (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem'})`;
  }
  const keptAs = await moveAside(path, (options.now ?? (() => new Date()))());
  const file = basename(path);
  return {
    status: 'invalid',
    problem: {
      file,
      path,
      keptAs,
      reason,
      message: `${file} could not be used because ${reason}. It was kept as ${keptAs}; ${options.fallback}. Fix or copy back what you need from the kept file.`,
    },
  };
}

/** Moves `path` to `path.invalid-<time>[-n]`, never replacing an existing file. */
async function moveAside(path: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const target = `${path}.invalid-${stamp}${n === 0 ? '' : `-${n}`}`;
    try {
      await copyFile(path, target, constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 100) continue;
      throw error;
    }
    await unlink(path);
    return target;
  }
}
