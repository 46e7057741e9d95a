import { constants } from 'node:fs';
import { access, copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import type { ModelFolder } from '../../../shared/ipc/routes/models';
import type { SettingsStore } from '../settings/settings-store';
import { checkGgufHeader } from './gguf-header-check';

export interface ModelFoldersOptions {
  /** The data dir's models folder (downloads and imports land here). */
  dataDirModels: string;
  /** --models-dir folders for this run. */
  commandLine: string[];
  settings: SettingsStore;
}

/**
 * The folders scanned for `.gguf` files: the data dir's models folder, the
 * command line's for this run, and those saved in settings (the only ones
 * that can be added or removed here).
 */
export class ModelFolders {
  constructor(private readonly options: ModelFoldersOptions) {}

  list(): ModelFolder[] {
    const folders: ModelFolder[] = [];
    const seen = new Set<string>();
    const add = (path: string, source: ModelFolder['source']) => {
      const full = resolve(path);
      if (seen.has(full)) return;
      seen.add(full);
      folders.push({ path: full, source });
    };
    add(this.options.dataDirModels, 'data-dir');
    for (const dir of this.options.commandLine) add(dir, 'command-line');
    for (const dir of this.options.settings.get().modelsDirs) add(dir, 'settings');
    return folders;
  }

  /** Saves a readable folder in settings; a folder already scanned is left as it is. */
  async add(path: string): Promise<ModelFolder[]> {
    const full = resolve(path.trim());
    const info = await stat(full).catch(() => null);
    if (!info) throw new CodedError('NOT_FOUND', `No folder at ${full}`);
    if (!info.isDirectory()) throw new CodedError('INVALID_INPUT', `${full} is not a folder`);
    try {
      await access(full, constants.R_OK | constants.X_OK);
    } catch {
      throw new CodedError('STORAGE_FAILED', `The folder ${full} cannot be read`);
    }
    if (this.list().some((folder) => folder.path === full)) return this.list();
    const current = this.options.settings.get().modelsDirs;
    await this.options.settings.update({ modelsDirs: [...current, full] });
    return this.list();
  }

  /** Removes a folder saved in settings; the data dir's and the command line's cannot be removed. */
  async remove(path: string): Promise<ModelFolder[]> {
    const full = resolve(path.trim());
    const current = this.options.settings.get().modelsDirs;
    const kept = current.filter((dir) => resolve(dir) !== full);
    if (kept.length === current.length) {
      const other = this.list().find((folder) => folder.path === full);
      if (other) throw new CodedError('CONFLICT', `${full} comes from the ${other.source === 'data-dir' ? 'data dir' : 'command line'} and cannot be removed here`);
      throw new CodedError('NOT_FOUND', `${full} is not one of the model folders`);
    }
    await this.options.settings.update({ modelsDirs: kept });
    return this.list();
  }
}

/**
 * Copies a GGUF file into `modelsDir` after the header check, never over a
 * file of the same name. Answers the new path.
 */
export async function importModelFile(source: string, modelsDir: string): Promise<string> {
  const full = resolve(source.trim());
  const info = await stat(full).catch(() => null);
  if (!info?.isFile()) throw new CodedError('MODEL_NOT_FOUND', `No file at ${full}`);
  const problem = await checkGgufHeader(full, info.size);
  if (problem) throw new CodedError('NOT_GGUF', `${basename(full)} is not a usable GGUF model: ${problem}`);
  const name = basename(full).toLowerCase().endsWith('.gguf') ? basename(full) : `${basename(full)}.gguf`;
  const target = join(modelsDir, name);
  if (resolve(target) === full) throw new CodedError('CONFLICT', `${name} is already in the models folder`);
  await mkdir(modelsDir, { recursive: true });
  try {
    await copyFile(full, target, constants.COPYFILE_EXCL);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CodedError('CONFLICT', `A model named ${name} is already in ${modelsDir}`);
    throw new CodedError('STORAGE_FAILED', `Could not copy ${full}: ${(error as Error).message}`, { cause: error });
  }
  return target;
}
