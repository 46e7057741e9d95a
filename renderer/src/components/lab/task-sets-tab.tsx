import { useId, useState } from 'react';
import type { TaskSetSummary } from '../../../../shared/ipc/routes/lab';
import { downloadFile } from '../../lib/download-file';
import { formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { ImportTaskSetForm } from './import-task-set-form';
import { describeGraders } from './lab-format';

function TaskSetRow({ taskSet, onDelete }: { taskSet: TaskSetSummary; onDelete: () => void }) {
  const exportTaskSet = useAppStore((s) => s.exportTaskSet);
  const setLabForm = useAppStore((s) => s.setLabForm);
  const showLabTab = useAppStore((s) => s.showLabTab);
  const nameId = useId();
  return (
    <tr>
      <th scope="row" id={nameId} className="lab-sets__name">
        {taskSet.name}
      </th>
      <td className="num">{formatCount(taskSet.taskCount)}</td>
      <td className="lab-sets__graders">{describeGraders(taskSet.graders)}</td>
      <td className="muted">{formatTime(taskSet.updatedAt)}</td>
      <td>
        <div className="lab-sets__actions">
          <button
            type="button"
            className="button button--small"
            aria-describedby={nameId}
            onClick={() => {
              setLabForm({ setId: taskSet.id });
              showLabTab('runs');
            }}
          >
            Run…
          </button>
          <button
            type="button"
            className="button button--small"
            aria-describedby={nameId}
            title="Download the tasks as JSONL"
            onClick={() => void exportTaskSet(taskSet.id).then((file) => file && downloadFile(file))}
          >
            Export
          </button>
          <button type="button" className="button button--small button--danger-quiet" aria-describedby={nameId} onClick={onDelete}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

/** How a task set's JSONL looks, and what each grader checks. */
function FormatHelp() {
  return (
    <details className="panel lab-help">
      <summary className="lab-help__summary">The JSONL format and the graders</summary>
      <p>
        One task per line, a JSON object with a <code>prompt</code> and optionally <code>id</code>, <code>reference</code> (the expected answer),{' '}
        <code>grader</code>, <code>systemPrompt</code>, <code>maxTokens</code> and <code>tag</code> (code, math, writing, summarising, documents, other). A
        line without a grader is graded <em>contains</em> when it has a reference.
      </p>
      <pre className="lab-help__example">
        {[
          '{"id": "add", "prompt": "What is 2 + 2? Answer with the number only.", "reference": "4", "grader": {"type": "exact"}}',
          '{"prompt": "Name a primary colour.", "grader": {"type": "regex", "pattern": "red|blue|yellow", "flags": "i"}}',
          '{"prompt": "Give a JSON object with a name.", "grader": {"type": "json-schema", "schema": {"type": "object", "required": ["name"]}}}',
        ].join('\n')}
      </pre>
      <dl className="lab-help__graders">
        <dt>exact</dt>
        <dd>
          The answer, trimmed, equals the reference (ignoring case unless <code>&quot;caseSensitive&quot;: true</code>).
        </dd>
        <dt>contains</dt>
        <dd>The answer contains the reference (ignoring case).</dd>
        <dt>regex</dt>
        <dd>
          The answer matches <code>pattern</code> (JavaScript syntax; <code>flags</code> from i, m, s, u).
        </dd>
        <dt>JSON schema</dt>
        <dd>
          <code>json-schema</code>: the answer is JSON valid against <code>schema</code>; models are asked for it grammar-constrained.
        </dd>
        <dt>number within a tolerance</dt>
        <dd>
          <code>number</code>: the first number in the answer is within <code>tolerance</code> of the reference.
        </dd>
        <dt>judge with rubric</dt>
        <dd>
          <code>judge</code>: a judge model (<code>judgeModelId</code>, else a local one) scores the answer against <code>rubric</code> and the reference.
        </dd>
      </dl>
    </details>
  );
}

/** Task sets: the list with export and delete, the import form, and the format. */
export function TaskSetsTab() {
  const sets = useAppStore((s) => s.labSets);
  const status = useAppStore((s) => s.labSetsStatus);
  const error = useAppStore((s) => s.labSetsError);
  const loadLabSets = useAppStore((s) => s.loadLabSets);
  const deleteTaskSet = useAppStore((s) => s.deleteTaskSet);
  const [deleting, setDeleting] = useState<TaskSetSummary | null>(null);
  const titleId = useId();

  return (
    <div className="lab__tab">
      <section className="panel" aria-labelledby={titleId}>
        <h2 id={titleId} className="panel__title">
          Task sets
        </h2>
        {status === 'error' && (
          <div className="notice notice--error" role="alert">
            <span>Could not list the task sets: {error}</span>
            <button type="button" className="button button--small" onClick={() => void loadLabSets()}>
              Try again
            </button>
          </div>
        )}
        {sets.length === 0 && status !== 'error' && (
          <p className="muted">{status === 'ready' ? 'No task sets yet. Import one below from a JSONL file.' : 'Loading…'}</p>
        )}
        {sets.length > 0 && (
          <div className="table-scroll">
            <table className="table" aria-labelledby={titleId}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    Tasks
                  </th>
                  <th scope="col">Graders</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sets.map((taskSet) => (
                  <TaskSetRow key={taskSet.id} taskSet={taskSet} onDelete={() => setDeleting(taskSet)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ImportTaskSetForm />
      <FormatHelp />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this task set?"
        confirmLabel="Delete"
        danger
        onCancel={() => setDeleting(null)}
        onConfirm={() => {
          const target = deleting;
          setDeleting(null);
          if (target) void deleteTaskSet(target.id);
        }}
      >
        <p className="dialog__wrap">
          <strong>{deleting?.name}</strong> and its {formatCount(deleting?.taskCount ?? 0)} tasks are removed. Runs already made keep their results.
        </p>
      </ConfirmDialog>
    </div>
  );
}
