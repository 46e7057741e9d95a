import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../app/create-core';
import type { ConfigFileProblem } from '../fs/config-file';
import type { Logger } from '../app/logger';
import type { GlobalOptions } from './main';

/**
 * Opens the core for a CLI command. Prints every app notice (a config file
 * kept aside…) as one line on stderr. When the data dir cannot be opened
 * (a file, not a folder; no permission), prints one line saying what to do
 * and answers null: never a stack trace.
 */
export async function openCliCore(
  global: GlobalOptions,
  label: string,
  options: { logger: Logger; mode?: CoreOptions['mode'] },
): Promise<Core | null> {
  let core: Core;
  try {
    core = await createCore({ dataDir: global.dataDir, modelsDirs: global.modelsDirs, mode: options.mode ?? 'cli', version: global.version, logger: options.logger });
  } catch (error) {
    process.stderr.write(`tandem ${label}: ${dataDirProblem(global.dataDir, error)}\n`);
    return null;
  }
  for (const notice of core.notices.list()) process.stderr.write(`tandem: ${notice.level}: ${notice.message}\n`);
  return core;
}

/** For commands that open services without a whole core: one stderr line per config file that was kept aside. */
export function printConfigProblems(...problems: (ConfigFileProblem | null)[]): void {
  for (const problem of problems) if (problem) process.stderr.write(`tandem: warning: ${problem.message}\n`);
}

/**
 * Checks that the data dir is (or can be made) a folder this user can read
 * and write; answers the one line to print when it cannot, else null.
 */
export function checkDataDir(dataDir: string): string | null {
  const dir = resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) return dataDirProblem(dataDir, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }));
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') return dataDirProblem(dataDir, Object.assign(error as Error, { path: fileInTheWay(dir) }));
    return dataDirProblem(dataDir, error);
  }
}

/** The nearest existing path at or above `dir`: the file that stops it from being a folder. */
function fileInTheWay(dir: string): string {
  for (let path = dir; ; path = dirname(path)) {
    try {
      statSync(path);
      return path;
    } catch {
      if (dirname(path) === path) return dir;
    }
  }
}

/** One sentence for a data dir that cannot be used, with what to do. */
export function dataDirProblem(dataDir: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const path = (error as NodeJS.ErrnoException | null)?.path;
  const fix = 'pass another folder with --data-dir DIR or TANDEM_HOME';
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return `the data dir ${dataDir} cannot be opened: ${path && resolve(path) !== resolve(dataDir) ? `${path} is` : 'it is'} a file, not a folder; move it away or ${fix}`;
    case 'EACCES':
    case 'EPERM':
      return `the data dir ${dataDir} cannot be opened: permission denied${path ? ` on ${path}` : ''}; give your user read and write access (e.g. chmod u+rwx) or ${fix}`;
    case 'EROFS':
      return `the data dir ${dataDir} is on a read-only file system; ${fix}`;
    case 'ENOSPC':
      return `the disk holding the data dir ${dataDir} is full; free some space and try again`;
    default: {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return `could not start with the data dir ${dataDir}: ${message}; check the folder or ${fix}`;
    }
  }
}
