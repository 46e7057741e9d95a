import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, cpSync, linkSync, mkdirSync, openSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import asar from '@electron/asar';
import { repoRoot } from '../../support/paths';

/** One file in app.asar, and whether it was left unpacked (app.asar.unpacked/<path>). */
export interface AsarFile {
  path: string;
  unpacked: boolean;
  executable: boolean;
  link?: string;
  size: number;
  offset: number;
}

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  unpacked?: boolean;
  executable?: boolean;
  link?: string;
  size?: number;
  offset?: string;
}

/** Every file and link of an asar archive, with the unpacked flag Electron reads. */
export function asarFiles(archive: string): { files: AsarFile[]; dataOffset: number } {
  const { header, headerSize } = asar.getRawHeader(archive);
  const files: AsarFile[] = [];
  const walk = (node: HeaderNode, prefix: string) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (child.files) walk(child, path);
      else
        files.push({
          path,
          unpacked: child.unpacked === true,
          executable: child.executable === true,
          link: child.link,
          size: child.size ?? 0,
          offset: Number(child.offset ?? 0),
        });
    }
  };
  walk(header as HeaderNode, '');
  // Pickle framing: 8 bytes of sizes, then the header, then the file data.
  return { files, dataOffset: 8 + headerSize };
}

/**
 * The packed app as a plain folder Node can run: packed files read out of
 * app.asar, unpacked ones hard-linked from app.asar.unpacked (what Electron
 * does when code loads app.asar/<path> of an unpacked file).
 */
export function materializeApp(resourcesDir: string, dest: string): void {
  const archive = join(resourcesDir, 'app.asar');
  const { files, dataOffset } = asarFiles(archive);
  const fd = openSync(archive, 'r');
  try {
    for (const file of files) {
      const target = join(dest, file.path);
      mkdirSync(dirname(target), { recursive: true });
      if (file.link) symlinkSync(join(dest, file.link), target);
      else if (file.unpacked) {
        const source = join(`${archive}.unpacked`, file.path);
        try {
          linkSync(source, target);
        } catch {
          copyFileSync(source, target);
        }
      } else {
        const content = Buffer.alloc(file.size);
        readSync(fd, content, 0, file.size, dataOffset + file.offset);
        writeFileSync(target, content);
        if (file.executable) chmodSync(target, 0o755);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The flag electron-builder takes for this machine's architecture. */
function archFlag(): string {
  return `--${process.arch === 'arm' ? 'armv7l' : process.arch}`;
}

/**
 * `electron-builder --dir` for Linux against a stand-in Electron folder
 * (electronDist: a fake `electron` executable), into `outDir`; nothing is
 * downloaded and nothing is written into the repo. Resolves with the
 * resources folder of the packed app. After `timeoutMs`, or when `signal`
 * aborts, electron-builder and everything it started (its own process group)
 * are killed and this rejects once they have exited: nothing goes on copying
 * into a temp dir that is being removed.
 */
export async function packLinuxDir(
  workDir: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ resourcesDir: string; log: string }> {
  options.signal?.throwIfAborted();
  const electronDist = join(workDir, 'electron-dist');
  mkdirSync(electronDist, { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in Electron: it cannot run here" >&2\nexit 1\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  const outDir = join(workDir, 'dist');
  // The repo's electron-builder.yml, except that out/ comes from a snapshot taken now: a build that
  // runs meanwhile (another terminal, a watcher) must not change files under electron-builder's feet.
  const snapshot = join(workDir, 'out-snapshot');
  cpSync(join(repoRoot, 'out'), snapshot, { recursive: true });
  const config = join(workDir, 'electron-builder.cjs');
  writeFileSync(
    config,
    `const { readFileSync } = require('node:fs');
const yaml = require(${JSON.stringify(join(repoRoot, 'node_modules', 'js-yaml'))});
const base = yaml.load(readFileSync(${JSON.stringify(join(repoRoot, 'electron-builder.yml'))}, 'utf8'));
if (!base.files.includes('out/**')) throw new Error('electron-builder.yml no longer packs out/**: update tests/desktop/support/packed-app.ts');
module.exports = { ...base, files: base.files.map((f) => (f === 'out/**' ? { from: ${JSON.stringify(snapshot)}, to: 'out' } : f)) };
`,
  );
  const args = [
    join(repoRoot, 'node_modules', 'electron-builder', 'cli.js'),
    '--config',
    config,
    '--dir',
    '--linux',
    archFlag(),
    '--publish',
    'never',
    `--config.electronDist=${electronDist}`,
    `--config.directories.output=${outDir}`,
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_BUILDER_CACHE: join(workDir, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a kill reaches app-builder and every copy it runs.
    detached: true,
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stopped: string | null = null;
  const stop = (why: string) => {
    stopped ??= why;
    killGroup(child.pid);
  };
  const timer = setTimeout(() => stop(`it ran longer than ${options.timeoutMs} ms`), options.timeoutMs ?? 360_000);
  const onAbort = () => stop('the test run stopped it');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const code = await exited.finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  });
  // Whatever a failed or killed electron-builder started and left behind goes too.
  if (stopped || code !== 0) killGroup(child.pid);
  if (stopped) throw new Error(`electron-builder --dir was killed because ${stopped}:\n${log.slice(-2000)}`);
  if (code !== 0) {
    const lines = log.split('\n').filter((line) => !line.includes('duplicate dependency references'));
    throw new Error(`electron-builder --dir failed (exit ${code}):\n${lines.join('\n').slice(-4000)}`);
  }
  const unpackedName = process.arch === 'x64' ? 'linux-unpacked' : `linux-${process.arch}-unpacked`;
  return { resourcesDir: join(outDir, unpackedName, 'resources'), log };
}

/** SIGKILL to a detached child's whole process group; nothing when it is gone already. */
export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group has already exited.
  }
}
