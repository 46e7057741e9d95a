import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** What to install when a well-known launcher is missing. */
const INSTALL_HINTS: Record<string, string> = {
  npx: 'Install Node.js (includes npx) from https://nodejs.org, then restart Tandem so it sees the new PATH.',
  npm: 'Install Node.js (includes npm) from https://nodejs.org, then restart Tandem so it sees the new PATH.',
  node: 'Install Node.js from https://nodejs.org, then restart Tandem so it sees the new PATH.',
  uvx: 'Install uv (includes uvx): https://docs.astral.sh/uv/getting-started/installation/, then restart Tandem.',
  uv: 'Install uv: https://docs.astral.sh/uv/getting-started/installation/, then restart Tandem.',
  python: 'Install Python 3 from https://www.python.org (on macOS and Linux the command is often python3).',
  python3: 'Install Python 3 from https://www.python.org, then restart Tandem.',
  docker: 'Install Docker Desktop (https://www.docker.com) and make sure it is running.',
  bunx: 'Install Bun (includes bunx) from https://bun.sh, then restart Tandem.',
  deno: 'Install Deno from https://deno.com, then restart Tandem.',
};

export type PreflightResult = { ok: true; resolved: string } | { ok: false; message: string };

export interface PreflightEnv {
  /** The PATH the server will get. */
  path: string;
  /** Windows executable extensions (PATHEXT). */
  pathExt?: string;
  cwd?: string;
  platform?: NodeJS.Platform;
}

/**
 * Finds the program a stdio server will run, on the PATH it will get, before
 * spawning it; when it is missing, says what to install.
 */
export async function preflightCommand(command: string, env: PreflightEnv): Promise<PreflightResult> {
  const platform = env.platform ?? process.platform;
  const resolved = await resolveCommand(command, env);
  if (resolved) return { ok: true, resolved };
  const hasSeparator = command.includes('/') || (platform === 'win32' && command.includes('\\'));
  if (hasSeparator) return { ok: false, message: `${command} does not exist or is not executable. Check the path in the server's command.` };
  const base = command.toLowerCase().replace(/\.(exe|cmd|bat)$/, '');
  const hint = INSTALL_HINTS[base] ?? `Install it, or give the full path to the program as the command.`;
  return { ok: false, message: `${command} was not found on PATH. ${hint}` };
}

/** The absolute path `command` runs as: itself when it has a path, else the first match on PATH (with PATHEXT on Windows). */
export async function resolveCommand(command: string, env: PreflightEnv): Promise<string | null> {
  const platform = env.platform ?? process.platform;
  const exts = platform === 'win32' ? ['', ...(env.pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const candidates = (base: string) => exts.map((ext) => base + ext);
  if (command.includes('/') || (platform === 'win32' && command.includes('\\')) || isAbsolute(command)) {
    const full = resolve(env.cwd ?? process.cwd(), command);
    for (const candidate of candidates(full)) if (await isExecutable(candidate, platform)) return candidate;
    return null;
  }
  const sep = platform === 'win32' ? ';' : delimiter;
  for (const dir of env.path.split(sep)) {
    if (!dir) continue;
    for (const candidate of candidates(join(dir.replace(/^"(.*)"$/, '$1'), command))) {
      if (await isExecutable(candidate, platform)) return candidate;
    }
  }
  return null;
}

async function isExecutable(path: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
