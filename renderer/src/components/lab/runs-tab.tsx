import { useId } from 'react';
import type { LabRunSummary } from '../../../../shared/ipc/routes/lab';
import { formatCount, formatTime } from '../../lib/format';
import { isLabRunActive, type LabRunView } from '../../store/lab-run-view';
import { useAppStore } from '../../store/store-context';
import { StopIcon } from '../common/icons';
import { LabResults } from './lab-results';
import { NewRunForm } from './new-run-form';

const ENDED_LABEL: Partial<Record<LabRunView['status'], string>> = {
  done: 'Run finished',
  cancelled: 'Run stopped',
  error: 'Run failed',
};

/** The run started here: a real progress bar, what runs now, and Stop. */
function RunProgress({ run }: { run: LabRunView }) {
  const stopLabRun = useAppStore((s) => s.stopLabRun);
  const active = isLabRunActive(run);
  const { done, total, current } = run.progress;
  const text = `${formatCount(done)} of ${formatCount(total)}${active && current ? ` · ${current}` : ''}`;
  return (
    <div className={`panel lab-progress lab-progress--${run.status}`}>
      <div className="lab-progress__head">
        <span className="lab-progress__state" role="status">
          {active ? (run.stopping ? 'Stopping…' : run.status === 'starting' ? 'Starting…' : `Running ${run.setName}`) : ENDED_LABEL[run.status]}
        </span>
        {active && (
          <button type="button" className="button button--small" onClick={() => void stopLabRun()} disabled={run.stopping}>
            <StopIcon />
            Stop
          </button>
        )}
      </div>
      <progress
        className="lab-progress__bar"
        aria-label="Lab run progress"
        aria-valuetext={text}
        max={total > 0 ? total : undefined}
        value={total > 0 ? Math.min(done, total) : active ? undefined : 0}
      />
      <p className="lab-progress__text muted" title={current ?? undefined}>
        {text}
      </p>
    </div>
  );
}

const STATUS: Record<LabRunSummary['status'], string> = { running: 'running', done: 'finished', cancelled: 'stopped', error: 'failed' };

/** Saved runs, newest first; one opens into the results. */
function PastRuns() {
  const runs = useAppStore((s) => s.labRuns);
  const status = useAppStore((s) => s.labRunsStatus);
  const openLabRun = useAppStore((s) => s.openLabRun);
  const shownId = useAppStore((s) => (s.labOpened ?? s.labLive)?.runId ?? null);
  const titleId = useId();
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        Past runs
      </h2>
      {runs.length === 0 ? (
        <p className="muted">{status === 'loading' || status === 'idle' ? 'Loading…' : status === 'error' ? 'Could not list the runs.' : 'No runs yet.'}</p>
      ) : (
        <div className="table-scroll">
          <table className="table table--compact lab-past" aria-labelledby={titleId}>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Task set</th>
                <th scope="col">Models</th>
                <th scope="col" className="num">
                  Best quality
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const best = run.models.reduce<number | null>((top, m) => (m.calls > 0 && (top === null || m.quality > top) ? m.quality : top), null);
                const label = `${run.setName}, ${formatTime(run.startedAt)}`;
                return (
                  <tr key={run.id} className={run.id === shownId ? 'is-current' : undefined}>
                    <td>{formatTime(run.startedAt)}</td>
                    <td>{run.setName}</td>
                    <td className="lab-past__models" title={run.modelIds.join(', ')}>
                      {run.modelIds.join(', ')}
                    </td>
                    <td className="num">{best === null ? '—' : `${Math.round(best * 100)}%`}</td>
                    <td>{STATUS[run.status]}</td>
                    <td>
                      <button type="button" className="button button--small" aria-label={`${run.id === shownId ? 'Shown' : 'Open'} the run of ${label}`} onClick={() => void openLabRun(run.id)} disabled={run.id === shownId}>
                        {run.id === shownId ? 'Shown' : 'Open'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Start a run, follow it, read its results, and reopen past runs. */
export function RunsTab() {
  const live = useAppStore((s) => s.labLive);
  const opened = useAppStore((s) => s.labOpened);
  const shown = opened ?? live;
  return (
    <div className="lab__tab">
      <NewRunForm />
      {live && <RunProgress run={live} />}
      {shown && <LabResults run={shown} reopened={opened !== null} />}
      <PastRuns />
    </div>
  );
}
