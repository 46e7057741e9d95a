import { readdir, stat, open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import { inspectGguf } from './gguf-inspect';

const MAX_DEPTH = 6;

/**
 * Finds `.gguf` files in the models folders (nested, symlink loops
 * ignored) and reads each header without loading the weights, so a broken
 * file is listed with its problem instead of crashing a load later.
 */
export class ModelLibrary {
  private models: LocalModel[] = [];
  private scanned = false;

  constructor(private readonly dirs: () => string[]) {}

  async list(refresh = false): Promise<LocalModel[]> {
    if (refresh || !this.scanned) await this.scan();
    return this.models;
  }

  /** Resolves a model id, a file name, or a path to a `.gguf` file. */
  async resolve(fileOrId: string): Promise<LocalModel> {
    const models = await this.list();
    const found =
      models.find((m) => m.id === fileOrId) ??
      models.find((m) => m.path === resolve(fileOrId)) ??
      models.find((m) => basename(m.path) === fileOrId || m.name === fileOrId);
    if (found) return this.usable(found);
    if (fileOrId.toLowerCase().endsWith('.gguf')) {
      const path = resolve(fileOrId);
      const info = await stat(path).catch(() => null);
      if (info?.isFile()) return this.usable(await describe(path, info.size, fileOrId));
      throw new CodedError('MODEL_NOT_FOUND', `No model file at ${path}`);
    }
    throw new CodedError(
      'MODEL_NOT_FOUND',
      `No model "${fileOrId}" in the models folders (${this.dirs().join(', ') || 'none configured'}). Pass a .gguf path or add a folder with --models-dir.`,
    );
  }

  private usable(model: LocalModel): LocalModel {
    if (model.problem) throw new CodedError('MODEL_LOAD_FAILED', `This file could not be loaded: ${model.problem}`);
    return model;
  }

  private async scan(): Promise<void> {
    const files: { path: string; size: number }[] = [];
    const seenDirs = new Set<string>();
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH) return;
      let real: string;
      try {
        const info = await stat(dir);
        real = `${info.dev}:${info.ino}`;
      } catch {
        return; // a missing or unreadable folder is simply empty
      }
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        const info = await stat(path).catch(() => null);
        if (!info) continue;
        if (info.isDirectory()) await walk(path, depth + 1);
        else if (info.isFile() && entry.name.toLowerCase().endsWith('.gguf')) files.push({ path, size: info.size });
      }
    };
    for (const dir of this.dirs()) await walk(resolve(dir), 0);
    files.sort((a, b) => a.path.localeCompare(b.path));
    const stems = new Map<string, number>();
    for (const file of files) stems.set(stemOf(file.path), (stems.get(stemOf(file.path)) ?? 0) + 1);
    this.models = await Promise.all(
      files.map((file) => {
        const stem = stemOf(file.path);
        const id = (stems.get(stem) ?? 0) > 1 ? `${stem}-${shortHash(file.path)}` : stem;
        return describe(file.path, file.size, id);
      }),
    );
    this.scanned = true;
  }
}

async function describe(path: string, size: number, id: string): Promise<LocalModel> {
  const inspection = await inspectGguf(path, size);
  return {
    id,
    name: stemOf(path),
    path,
    sizeBytes: size,
    architecture: inspection.architecture,
    problem: inspection.problem,
  };
}

function stemOf(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/** Reads the first bytes of a file; used by the header check. */
export async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
