import { useMemo, useState } from 'react';
import type { LabModelSummary, LabTask } from '../../../../shared/ipc/routes/lab';
import { downloadFile } from '../../lib/download-file';
import { formatBytes, formatCount, formatTime } from '../../lib/format';
import { formatMs, formatQuality, formatRate } from '../../lib/route-format';
import { isLabRunActive, type LabRunView } from '../../store/lab-run-view';
import { useAppStore } from '../../store/store-context';
import { ModelBars, QualityCostChart } from './lab-charts';
import { costCell, excerpt, formatScore, groupByTask, modelRows, type TaskGroup } from './lab-format';
import { useModelOptions } from './new-run-form';

const STATUS_LABEL: Record<LabRunView['status'], string> = {
  starting: 'Starting',
  running: 'Running',
  done: 'Finished',
  cancelled: 'Stopped',
  error: 'Failed',
};

/** One row per model: quality, speed, time, memory, cost and errors. */
function ResultsTable({ rows }: { rows: readonly LabModelSummary[] }) {
  return (
    <div className="table-scroll">
      <table className="table lab-results__table" aria-label="Lab results">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Quality
            </th>
            <th scope="col" className="num" title="Time to first token (median)">
              TTFT
            </th>
            <th scope="col" className="num" title="Median">
              Tokens/s
            </th>
            <th scope="col" className="num">
              Total time
            </th>
            <th scope="col" className="num">
              Peak memory
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Errors
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.modelId} className={row.errors > 0 ? 'lab-results__row--errors' : undefined}>
              <th scope="row" className="model-row__name">
                {row.modelId}
                <span className="lab-results__kind">{row.kind === 'local' ? 'This computer' : 'Cloud'}</span>
              </th>
              <td className="num lab-results__quality">{row.calls > 0 ? formatQuality(row.quality) : '—'}</td>
              <td className="num">{formatMs(row.ttftMs)}</td>
              <td className="num">{formatRate(row.tokensPerSecond)}</td>
              <td className="num">{row.calls > 0 ? formatMs(row.totalMs) : '—'}</td>
              <td className="num">{row.kind === 'local' && row.peakMemoryBytes !== null ? formatBytes(row.peakMemoryBytes) : '—'}</td>
              <td className="num">{costCell(row)}</td>
              <td className={`num${row.errors > 0 ? ' lab-results__errors' : ''}`}>
                {formatCount(row.errors)}
                <span className="muted"> of {formatCount(row.calls)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One task: its scores in the summary; its answers, built only once opened (a big run has many). */
function TaskItem({ group, prompt, runs }: { group: TaskGroup; prompt: string | null; runs: number }) {
  const [open, setOpen] = useState(false);
  return (
    <li>
      <details className={`lab-task${group.errors > 0 ? ' lab-task--errors' : ''}`} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary className="lab-task__summary">
          <span className="lab-task__id">{group.taskId}</span>
          {prompt && <span className="lab-task__prompt muted">{excerpt(prompt, 90)}</span>}
          <span className="lab-task__scores">
            {group.scores.map((s) => (
              <span key={s.modelId} className="lab-task__score" title={s.modelId}>
                {excerpt(s.modelId, 26)} {formatScore(s.score)}
              </span>
            ))}
            {group.errors > 0 && (
              <span className="lab-task__error-count">
                {group.errors} {group.errors === 1 ? 'error' : 'errors'}
              </span>
            )}
          </span>
        </summary>
        {open && (
          <>
            {prompt && prompt.length > 90 && <p className="lab-task__full-prompt">{excerpt(prompt, 600)}</p>}
            <table className="table table--compact lab-task__table" aria-label={`Answers to ${group.taskId}`}>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  {runs > 1 && <th scope="col">Run</th>}
                  <th scope="col" className="num">
                    Score
                  </th>
                  <th scope="col">Answer</th>
                </tr>
              </thead>
              <tbody>
                {group.results.map((result) => (
                  <tr key={`${result.modelId}:${result.run}`}>
                    <th scope="row" className="lab-task__model">
                      {result.modelId}
                    </th>
                    {runs > 1 && <td>{result.run}</td>}
                    <td className="num">{formatScore(result.score)}</td>
                    <td className="lab-task__answer">
                      {result.error ? (
                        <span className="lab-task__error">
                          <code className="message__error-code">{result.error.code}</code> {result.error.message}
                        </span>
                      ) : (
                        <span title={excerpt(result.answer, 2000)}>{result.answer.trim() ? excerpt(result.answer) : <em className="muted">(empty)</em>}</span>
                      )}
                      {result.note && <span className="lab-task__note muted">{result.note}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </details>
    </li>
  );
}

/** Every answer, per task: score, an excerpt of the answer, and the error of a failed call. */
function TaskDetails({ run, tasks }: { run: LabRunView; tasks: readonly LabTask[] | undefined }) {
  const groups = useMemo(() => groupByTask(run.results, run.modelIds), [run.results, run.modelIds]);
  const prompts = useMemo(() => new Map((tasks ?? []).map((t) => [t.id, t.prompt])), [tasks]);
  if (groups.length === 0) return null;
  const promptOf = (taskId: string) => prompts.get(taskId) ?? null;
  return (
    <section className="panel lab-tasks" aria-labelledby="lab-tasks-title">
      <h3 id="lab-tasks-title" className="panel__title">
        Per task
      </h3>
      <ul className="lab-tasks__list" aria-label="Results per task">
        {groups.map((group) => (
          <TaskItem key={group.taskId} group={group} prompt={promptOf(group.taskId)} runs={run.runs} />
        ))}
      </ul>
    </section>
  );
}

/** The shown run's results: the table, the charts, exports, and every answer per task. */
export function LabResults({ run, reopened }: { run: LabRunView; reopened: boolean }) {
  const exportLabRun = useAppStore((s) => s.exportLabRun);
  const closeLabRun = useAppStore((s) => s.closeLabRun);
  const live = useAppStore((s) => s.labLive);
  const tasks = useAppStore((s) => s.labSetTasks[run.setId]);
  const { kindOf } = useModelOptions();
  const rows = useMemo(() => modelRows(run, kindOf), [run, kindOf]);
  const active = isLabRunActive(run);
  const anyResults = run.results.length > 0 || (run.summary?.models.some((m) => m.calls > 0) ?? false);
  const exportAs = (format: 'csv' | 'json') => {
    if (run.runId) void exportLabRun(run.runId, format).then((file) => file && downloadFile(file));
  };

  return (
    <section className="lab-results" aria-labelledby="lab-results-title">
      <div className="lab-results__header">
        <div>
          <h2 id="lab-results-title" className="panel__title lab-results__title">
            Results: {run.setName}
          </h2>
          <p className="muted lab-results__meta">
            {formatTime(run.startedAt)} · {run.modelIds.length} {run.modelIds.length === 1 ? 'model' : 'models'} · {run.runs}{' '}
            {run.runs === 1 ? 'run' : 'runs'} per task · <span className={`lab-status lab-status--${run.status}`}>{STATUS_LABEL[run.status]}</span>
          </p>
        </div>
        <div className="lab-results__actions">
          {reopened && live && (
            <button type="button" className="button button--small" onClick={closeLabRun}>
              {isLabRunActive(live) ? 'Back to the running run' : 'Back to the last run'}
            </button>
          )}
          <button type="button" className="button button--small" disabled={!run.runId || active} onClick={() => exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" className="button button--small" disabled={!run.runId || active} onClick={() => exportAs('json')}>
            Export JSON
          </button>
        </div>
      </div>
      {run.error && (
        <p className="notice notice--error" role="alert">
          {run.error}
        </p>
      )}
      <div className="panel">
        <ResultsTable rows={rows} />
        {active && <p className="muted lab-results__note">The table fills in as results land; peak memory is known when the run ends.</p>}
      </div>
      {anyResults && (
        <div className="charts lab-charts">
          <QualityCostChart rows={rows} />
          <div className="lab-charts__bars">
            <ModelBars rows={rows} />
          </div>
        </div>
      )}
      <TaskDetails run={run} tasks={tasks} />
    </section>
  );
}
