import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import { LabRunSchema, LabTaskResultSchema, type LabRun, type LabRunSummary, type LabTaskResult } from '../../../shared/ipc/routes/lab';
import { writeFileAtomic } from '../fs/atomic-write';
import { summariseModels } from './lab-summary';

/**
 * Lab runs on disk, one `runs/<id>.json` each (written atomically: at the
 * start, and with every result when it ends). While a run goes on, each
 * result is also appended to `runs/<id>.results.jsonl` as it lands, so a
 * crash loses none: a run file left `running` by a process that is gone
 * reads as `error`, with the results from that file and its table rebuilt.
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

  private resultsPath(runId: string): string {
    return join(this.dir, `${runId}.results.jsonl`);
  }

  async save(run: LabRun): Promise<void> {
    await writeFileAtomic(this.path(run.id), `${JSON.stringify(run)}\n`);
    // The run file now holds every result: the running log is no longer needed.
    if (run.status !== 'running') await rm(this.resultsPath(run.id), { force: true }).catch(() => undefined);
  }

  /** Appends one result of a running run (one JSON line). */
  async appendResult(runId: string, result: LabTaskResult): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.resultsPath(runId), `${JSON.stringify(result)}\n`);
  }

  /** The results appended while a run went on; a damaged (half-written) line is skipped. */
  private async appended(runId: string): Promise<LabTaskResult[]> {
    let text: string;
    try {
      text = await readFile(this.resultsPath(runId), 'utf8');
    } catch {
      return [];
    }
    const results: LabTaskResult[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed = LabTaskResultSchema.safeParse(JSON.parse(line));
        if (parsed.success) results.push(parsed.data);
      } catch {
        // a line cut short by the crash
      }
    }
    return results;
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
    if (run.status !== 'running' || this.active().has(run.id)) return run;
    // Interrupted (the process is gone): what landed before is kept, and the table is rebuilt from it.
    const results = run.results.length > 0 ? run.results : await this.appended(run.id);
    const kinds = new Map(run.models.map((m) => [m.modelId, m.kind]));
    const peaks = new Map(run.models.map((m) => [m.modelId, m.peakMemoryBytes]));
    return {
      ...run,
      status: 'error',
      results,
      models: summariseModels(run.modelIds, results, (id) => kinds.get(id) ?? 'cloud', (id) => peaks.get(id) ?? null),
    };
  }
}
