import type { LabRun, LabRunPart, LabRunSummary, LabTaskResult } from '../../../shared/ipc/routes/lab';

/** The run the Runs tab shows: the one streaming now (or last started here), or a past one reopened. */
export interface LabRunView {
  runId: string | null;
  /** Set while this window streams it; null for a reopened run or once it ended. */
  streamId: string | null;
  setId: string;
  setName: string;
  modelIds: string[];
  runs: number;
  status: LabRunSummary['status'] | 'starting';
  progress: { done: number; total: number; current: string | null };
  results: LabTaskResult[];
  /** The saved run's table (the stream's last part, or `lab.runs.get`). */
  summary: LabRunSummary | null;
  stopping: boolean;
  /** Why the stream ended badly (the connection dropped, the backend refused). */
  error: string | null;
  startedAt: string;
}

const RUNNING: ReadonlySet<LabRunView['status']> = new Set(['starting', 'running']);

/** Whether the run is still going (starting or running). */
export function isLabRunActive(run: LabRunView | null): boolean {
  return run !== null && RUNNING.has(run.status);
}

/** A saved run as the Runs tab shows it. */
export function viewOf(run: LabRun): LabRunView {
  const { results, ...summary } = run;
  return {
    runId: run.id,
    streamId: null,
    setId: run.setId,
    setName: run.setName,
    modelIds: run.modelIds,
    runs: run.runs,
    status: run.status,
    progress: { done: results.length, total: results.length, current: null },
    results,
    summary,
    stopping: false,
    error: null,
    startedAt: run.startedAt,
  };
}

/** Folds streamed parts into the run they belong to. */
export function applyLabParts(run: LabRunView, parts: readonly LabRunPart[]): LabRunView {
  let { progress, results, summary, status } = run;
  const added: LabTaskResult[] = [];
  for (const part of parts) {
    if (part.type === 'progress') progress = { done: part.done, total: part.total, current: part.current ?? null };
    else if (part.type === 'result') added.push(part.result);
    else {
      summary = part.run;
      status = part.run.status;
    }
  }
  if (added.length > 0) results = [...results, ...added];
  if (status === 'starting') status = 'running';
  return { ...run, progress, results, summary, status };
}
