import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { AppNotice } from '../../../shared/ipc/routes/app';
import { writeFileAtomic } from '../fs/atomic-write';
import type { ConfigFileProblem } from '../fs/config-file';

export interface AppNoticesOptions {
  /**
   * The data dir: the kept-aside files whose notices were dismissed are
   * remembered in `notices-dismissed.json` there, so a notice dismissed once
   * does not come back at the next start. Without it, dismissals last for the run.
   */
  dataDir?: string;
}

export const DISMISSED_NOTICES_FILE = 'notices-dismissed.json';

/**
 * The notices the user is shown about the app itself (a config file kept
 * aside, a failed settings write): listed by `app.notices`, pushed as
 * `app.notice`, printed by the CLI, kept until dismissed.
 */
export class AppNotices {
  private readonly notices: AppNotice[] = [];
  private readonly listeners = new Set<(notice: AppNotice) => void>();
  /** Kept-aside files (relative to the data dir) whose notices were dismissed; loaded on first use. */
  private dismissed: Set<string> | null = null;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: AppNoticesOptions = {}) {}

  add(notice: Pick<AppNotice, 'message'> & Partial<Pick<AppNotice, 'level' | 'file' | 'keptAs'>>): AppNotice {
    const full: AppNotice = {
      id: randomUUID(),
      level: notice.level ?? 'warning',
      message: notice.message,
      file: notice.file ?? null,
      keptAs: notice.keptAs ?? null,
      createdAt: new Date().toISOString(),
    };
    this.notices.push(full);
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** A config file that could not be used (see loadConfigFile). */
  addConfigProblem(problem: ConfigFileProblem): AppNotice {
    return this.add({ level: 'warning', message: problem.message, file: problem.path, keptAs: problem.keptAs });
  }

  list(): AppNotice[] {
    return this.notices.map((n) => ({ ...n }));
  }

  /** Hides a notice; one about a kept-aside file stays dismissed at later starts (best effort: a failed write is ignored). */
  async dismiss(id: string): Promise<boolean> {
    const index = this.notices.findIndex((n) => n.id === id);
    if (index < 0) return false;
    const [notice] = this.notices.splice(index, 1);
    const key = notice?.keptAs ? this.key(notice.keptAs) : null;
    if (key !== null && this.options.dataDir) {
      const dismissed = await this.loadDismissed();
      dismissed.add(key);
      const content = `${JSON.stringify({ version: 1, keptAs: [...dismissed].sort() }, null, 2)}\n`;
      const path = join(this.options.dataDir, DISMISSED_NOTICES_FILE);
      this.saving = this.saving.then(() => writeFileAtomic(path, content).catch(() => undefined));
      await this.saving;
    }
    return true;
  }

  /**
   * At start-up: a notice for each kept-aside copy (`NAME.invalid-<time>`) of
   * the given config files that has no notice yet and was never dismissed, so
   * a file moved aside by an earlier run (the CLI, a start that was closed
   * before anyone looked) is still shown in the window.
   */
  async addEarlierKeptAside(configPaths: readonly string[]): Promise<void> {
    const dismissed = await this.loadDismissed();
    const shown = new Set(this.notices.flatMap((n) => (n.keptAs ? [n.keptAs] : [])));
    for (const path of configPaths) {
      const name = basename(path);
      const entries = await readdir(dirname(path)).catch(() => [] as string[]);
      for (const entry of entries.filter((e) => e.startsWith(`${name}.invalid-`)).sort()) {
        const keptAs = join(dirname(path), entry);
        if (shown.has(keptAs) || dismissed.has(this.key(keptAs))) continue;
        this.add({
          level: 'warning',
          message: `${name} could not be used at an earlier start. Its content was kept as ${keptAs}. Fix or copy back what you need from the kept file, then dismiss this notice.`,
          file: path,
          keptAs,
        });
      }
    }
  }

  /** A kept file's name as remembered: relative to the data dir (which may move), else its full path. */
  private key(keptAs: string): string {
    const dataDir = this.options.dataDir;
    if (!dataDir) return keptAs;
    const inside = relative(dataDir, keptAs);
    return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split('\\').join('/') : keptAs;
  }

  private async loadDismissed(): Promise<Set<string>> {
    if (this.dismissed) return this.dismissed;
    let list: unknown = [];
    if (this.options.dataDir) {
      try {
        list = (JSON.parse(await readFile(join(this.options.dataDir, DISMISSED_NOTICES_FILE), 'utf8')) as { keptAs?: unknown }).keptAs;
      } catch {
        // Missing or unreadable: nothing dismissed yet (at worst a notice shows again).
      }
    }
    this.dismissed ??= new Set(Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : []);
    return this.dismissed;
  }

  onNotice(listener: (notice: AppNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
