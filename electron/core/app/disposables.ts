import type { Logger } from './logger';

/**
 * Services register their teardown as they are built; `dispose()` runs them in
 * reverse order, once, and keeps going when one fails.
 */
export class DisposableStack {
  private readonly entries: { name: string; dispose: () => Promise<void> | void }[] = [];
  private disposing: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  add(name: string, dispose: () => Promise<void> | void): void {
    this.entries.push({ name, dispose });
  }

  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      for (const entry of this.entries.reverse()) {
        try {
          await entry.dispose();
        } catch (error) {
          this.logger.error(`disposing ${entry.name} failed`, error);
        }
      }
    })();
    return this.disposing;
  }
}
