import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { LabRun } from '../../../shared/ipc/routes/lab';
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
});
