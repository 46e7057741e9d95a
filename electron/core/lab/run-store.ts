import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import { LabRunSchema, type LabRun, type LabRunSummary } from '../../../shared/ipc/routes/lab';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * Lab runs on disk, one `runs/<id>.json` each (written atomically: at the
 * start, and with every result when it ends). A run file left `running` by a
 * process that is gone reads as `error`.
 */
export class RunStore {
  constructor(
    private readonly dir: string,
    /** Runs going on in this process right now. */
    private readonly active: () => ReadonlySet<string>,
  ) {}

  private path(runId: string): string {
    return join(this.dir, `${runId}.json`);
  }

  async save(run: LabRun): Promise<void> {
    await writeFileAtomic(this.path(run.id), `${JSON.stringify(run)}\n`);
  }

  /** Every readable run, newest first (damaged files are left out). */
  async list(): Promise<LabRunSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const runs = await Promise.all(names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => this.read(n.slice(0, -5)).catch(() => null)));
    return runs
      .filter((run): run is LabRun => run !== null)
      .map(({ results: _results, ...summary }) => summary)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async get(runId: string): Promise<LabRun> {
    let run: LabRun;
    try {
      run = await this.read(runId);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CodedError('NOT_FOUND', `There is no lab run ${runId}`);
      throw error;
    }
    return run;
  }

  private async read(runId: string): Promise<LabRun> {
    const text = await readFile(this.path(runId), 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CodedError('STORAGE_FAILED', `The lab run ${runId} is damaged`);
    }
    const parsed = LabRunSchema.safeParse(json);
    if (!parsed.success) throw new CodedError('STORAGE_FAILED', `The lab run ${runId} is damaged`);
    const run = parsed.data;
    return run.status === 'running' && !this.active().has(run.id) ? { ...run, status: 'error' } : run;
  }
}
