import { basename, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import ignore from 'ignore';
import type { Source } from '../../../shared/ipc/routes/documents';
import type { Logger } from '../app/logger';

/** Quiet time after the last change before the collection is rescanned. */
export const WATCH_DEBOUNCE_MS = 300;
const ALWAYS_IGNORED = new Set(['node_modules', '.git']);

/**
 * Watches one collection's sources and calls `onChange` once things settle
 * (debounced). The change itself is found by the normal incremental rescan
 * (size + mtime, then hash), which also catches renames and deletions, so
 * the watcher only has to say "something moved here".
 */
export class DocumentWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;

  constructor(
    sources: readonly Source[],
    private readonly options: { ignore: readonly string[]; onChange: () => void; logger: Logger },
  ) {
    const roots = sources.map((s) => s.path);
    const folders = sources.filter((s) => s.kind === 'folder').map((s) => s.path);
    const extra = options.ignore.length > 0 ? ignore().add([...options.ignore]) : null;
    const ignored = (path: string): boolean => {
      const name = basename(path);
      if (ALWAYS_IGNORED.has(name) || (name.startsWith('.') && name !== '.gitignore')) return !roots.includes(path);
      if (!extra) return false;
      const root = folders.find((f) => path.startsWith(f + sep));
      if (!root) return false;
      const rel = relative(root, path);
      return rel.length > 0 && extra.ignores(rel);
    };
    this.watcher = watch(roots, { ignoreInitial: true, ignored, persistent: true });
    this.watcher.on('all', () => this.schedule());
    this.watcher.on('error', (error) => options.logger.warn(`watching documents failed: ${(error as Error).message}`));
  }

  /** Resolves once the initial crawl is done and changes are being reported. */
  ready(): Promise<void> {
    const watcher = this.watcher;
    if (!watcher) return Promise.resolve();
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.disposed) this.options.onChange();
    }, WATCH_DEBOUNCE_MS);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const watcher = this.watcher;
    this.watcher = null;
    await watcher?.close();
  }
}
