import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LabRunSchema, type LabRun, type LabTaskResult } from '../../../shared/ipc/routes/lab';
import { RunStore } from '../../../electron/core/lab/run-store';
import { TaskSetStore } from '../../../electron/core/lab/task-set-store';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const JSONL = [{ prompt: 'Capital of France?', reference: 'Paris', grader: 'exact' }, { prompt: 'Say yes', grader: { type: 'regex', pattern: '^yes' } }]
  .map((t) => JSON.stringify(t))
  .join('\n');

describe('TaskSetStore', () => {
  test('sets survive a restart; the same content is found again; delete removes the file; no usable task is refused', async () => {
    const dir = await temp.make('tandem-lab-sets-');
    const store = new TaskSetStore(dir);
    const { set } = await store.import('smoke.jsonl', JSONL);
    expect(set).toMatchObject({ name: 'smoke.jsonl', taskCount: 2, graders: { exact: 1, regex: 1 } });

    const reopened = new TaskSetStore(dir);
    expect((await reopened.list()).map((s) => s.id)).toEqual([set.id]);
    expect((await reopened.get(set.id)).tasks.map((t) => t.id)).toEqual(['task-1', 'task-2']);
    expect(await reopened.findSame('other name', `${JSONL}\n\n`)).toMatchObject({ id: set.id });
    expect(await reopened.findSame('smoke.jsonl', JSON.stringify({ prompt: 'different', reference: 'x' }))).toBeNull();

    await expect(reopened.import('empty', '{"prompt": "no grader"}\nnot json')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/holds no usable task \(2 lines skipped; line 1: no grader and no reference/),
    });
    await reopened.delete(set.id);
    expect(await reopened.list()).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
    await expect(reopened.get(set.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(reopened.delete(set.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('a damaged index is reported, not silently replaced', async () => {
    const dir = await temp.make('tandem-lab-sets-bad-');
    await writeFile(join(dir, 'index.json'), '{"version": 1, "sets": [');
    await expect(new TaskSetStore(dir).list()).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringMatching(/damaged/) });
  });
});

describe('RunStore', () => {
  const run = (id: string, startedAt: string, status: LabRun['status']): LabRun => ({
    id,
    setId: 's',
    setName: 'set',
    modelIds: ['m'],
    runs: 1,
    startedAt,
    endedAt: null,
    status,
    models: [],
    results: [],
  });

  test('newest first; a run left running by a gone process reads as error; damaged files are left out of the list', async () => {
    const dir = await temp.make('tandem-lab-runs-');
    const active = new Set(['live']);
    const store = new RunStore(dir, () => active);
    await store.save(run('old', '2026-01-01T00:00:00.000Z', 'done'));
    await store.save(run('live', '2026-01-03T00:00:00.000Z', 'running'));
    await store.save(run('orphan', '2026-01-02T00:00:00.000Z', 'running'));
    await writeFile(join(dir, 'broken.json'), '{');
    const listed = await store.list();
    expect(listed.map((r) => [r.id, r.status])).toEqual([
      ['live', 'running'],
      ['orphan', 'error'],
      ['old', 'done'],
    ]);
    await expect(store.get('broken')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await expect(store.get('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  const result = (modelId: string, taskId: string, score: number | null, costUsd: number | null): LabTaskResult => ({
    modelId,
    taskId,
    run: 1,
    score,
    answer: 'x',
    ttftMs: 10,
    tokensPerSecond: 5,
    totalMs: 20,
    inputTokens: 1,
    outputTokens: 1,
    costUsd,
    error: score === null ? { code: 'SERVER', message: 'down' } : null,
  });

  test('a crash keeps every result that landed: the interrupted run reads as error with its results and table rebuilt', async () => {
    const dir = await temp.make('tandem-lab-crash-');
    const running = { ...run('crashed', '2026-01-02T00:00:00.000Z', 'running'), modelIds: ['local', 'cloud/x'] };
    running.models = [
      { modelId: 'local', kind: 'local', quality: 0, ttftMs: null, tokensPerSecond: null, totalMs: 0, peakMemoryBytes: null, costUsd: 0, unpricedCalls: 0, calls: 0, errors: 0 },
      { modelId: 'cloud/x', kind: 'cloud', quality: 0, ttftMs: null, tokensPerSecond: null, totalMs: 0, peakMemoryBytes: null, costUsd: 0, unpricedCalls: 0, calls: 0, errors: 0 },
    ];
    const active = new Set(['crashed']);
    const before = new RunStore(dir, () => active);
    await before.save(running);
    await before.appendResult('crashed', result('local', 't1', 1, 0));
    await before.appendResult('crashed', result('cloud/x', 't1', 0.5, null));
    await before.appendResult('crashed', result('cloud/x', 't2', null, 0));
    await appendFile(join(dir, 'crashed.results.jsonl'), '{"modelId": "cut sh'); // the line the crash cut short
    // After a restart nothing is running.
    const after = new RunStore(dir, () => new Set());
    const loaded = await after.get('crashed');
    expect(loaded.status).toBe('error');
    expect(loaded.results.map((r) => `${r.modelId}:${r.taskId}`)).toEqual(['local:t1', 'cloud/x:t1', 'cloud/x:t2']);
    expect(loaded.models.find((m) => m.modelId === 'cloud/x')).toMatchObject({ kind: 'cloud', calls: 2, errors: 1, quality: 0.25, unpricedCalls: 1 });
    expect((await after.list())[0]).toMatchObject({ id: 'crashed', status: 'error', models: [{ modelId: 'local', calls: 1, quality: 1 }, { modelId: 'cloud/x', calls: 2 }] });
    // A finished run's save removes the running log.
    await before.save({ ...loaded, status: 'done' });
    expect((await readdir(dir)).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  test('runs saved before unpriced calls were counted still read (as 0)', () => {
    const old = { ...run('old', '2026-01-01T00:00:00.000Z', 'done'), models: [{ modelId: 'm', kind: 'cloud', quality: 1, ttftMs: 1, tokensPerSecond: 1, totalMs: 1, peakMemoryBytes: null, costUsd: 0, calls: 1, errors: 0 }] };
    expect(LabRunSchema.parse(old).models[0]!.unpricedCalls).toBe(0);
  });
});
