import { describe, expect, test } from 'vitest';
import { costCell, groupByTask, modelRows } from '../../renderer/src/components/lab/lab-format';
import { applyLabParts, isLabRunActive, type LabRunView } from '../../renderer/src/store/lab-run-view';
import type { LabRunSummary, LabTaskResult } from '../../shared/ipc/routes/lab';

const result = (modelId: string, taskId: string, score: number | null, extra: Partial<LabTaskResult> = {}): LabTaskResult => ({
  modelId,
  taskId,
  run: 1,
  score,
  answer: score === null ? '' : 'an answer',
  ttftMs: score === null ? null : 100,
  tokensPerSecond: score === null ? null : 50,
  totalMs: 200,
  inputTokens: 5,
  outputTokens: 10,
  costUsd: modelId.includes('/') ? 0.001 : 0,
  error: score === null ? { code: 'SERVER', message: 'boom' } : null,
  ...extra,
});

const view = (results: LabTaskResult[], summary: LabRunSummary | null = null): LabRunView => ({
  runId: 'r1',
  streamId: null,
  setId: 's1',
  setName: 'Set',
  modelIds: ['tiny', 'cloud/a'],
  runs: 1,
  status: summary ? 'done' : 'running',
  progress: { done: results.length, total: 4, current: null },
  results,
  summary,
  stopping: false,
  error: null,
  startedAt: new Date(0).toISOString(),
});

const kindOf = (id: string): 'local' | 'cloud' => (id.includes('/') ? 'cloud' : 'local');

describe('the lab results while a run streams', () => {
  test('each model gets a row in the chosen order, failed calls counting as 0 and as errors', () => {
    const rows = modelRows(view([result('cloud/a', 't1', 1), result('tiny', 't1', 0.5), result('cloud/a', 't2', null, { totalMs: 50 })]), kindOf);
    expect(rows.map((r) => r.modelId)).toEqual(['tiny', 'cloud/a']);
    const cloud = rows[1]!;
    expect(cloud.quality).toBe(0.5);
    expect(cloud.errors).toBe(1);
    expect(cloud.calls).toBe(2);
    expect(cloud.totalMs).toBe(250);
    // Speed from the calls that answered only.
    expect(cloud.ttftMs).toBe(100);
    expect(cloud.costUsd).toBeCloseTo(0.002);
    expect(cloud.kind).toBe('cloud');
    expect(rows[0]!.kind).toBe('local');
    expect(rows[0]!.peakMemoryBytes).toBeNull();
  });

  test('a model with no result yet has an empty row, and the saved table wins once it comes', () => {
    const rows = modelRows(view([result('cloud/a', 't1', 1)]), kindOf);
    expect(rows[0]).toMatchObject({ modelId: 'tiny', calls: 0, quality: 0, ttftMs: null });
    const saved: LabRunSummary = {
      id: 'r1',
      setId: 's1',
      setName: 'Set',
      modelIds: ['tiny', 'cloud/a'],
      runs: 1,
      startedAt: new Date(0).toISOString(),
      endedAt: new Date(1).toISOString(),
      status: 'done',
      models: [
        { modelId: 'cloud/a', kind: 'cloud', quality: 1, ttftMs: 90, tokensPerSecond: 40, totalMs: 100, peakMemoryBytes: null, costUsd: 0.001, unpricedCalls: 0, calls: 1, errors: 0 },
        { modelId: 'tiny', kind: 'local', quality: 0, ttftMs: 10, tokensPerSecond: 900, totalMs: 30, peakMemoryBytes: 6_000_000, costUsd: 0, unpricedCalls: 0, calls: 1, errors: 0 },
      ],
    };
    const final = modelRows(view([result('cloud/a', 't1', 1)], saved), kindOf);
    expect(final.map((r) => r.modelId)).toEqual(['tiny', 'cloud/a']);
    expect(final[0]!.peakMemoryBytes).toBe(6_000_000);
  });

  test('per task, answers are grouped in model order with their errors counted', () => {
    const groups = groupByTask([result('cloud/a', 't1', null), result('tiny', 't2', 1), result('tiny', 't1', 0)], ['tiny', 'cloud/a']);
    expect(groups.map((g) => g.taskId)).toEqual(['t1', 't2']);
    expect(groups[0]!.results.map((r) => r.modelId)).toEqual(['tiny', 'cloud/a']);
    expect(groups[0]!.errors).toBe(1);
    expect(groups[0]!.scores).toEqual([
      { modelId: 'tiny', score: 0 },
      { modelId: 'cloud/a', score: 0 },
    ]);
  });
});

describe('the cost cell', () => {
  test('says how many calls had an unknown price instead of showing them as $0', () => {
    expect(costCell({ kind: 'local', costUsd: 0, unpricedCalls: 0 })).toBe('free');
    expect(costCell({ kind: 'cloud', costUsd: 0.0012, unpricedCalls: 3 })).toMatch(/^\$0\.0012 \+ 3 unpriced$/);
    expect(costCell({ kind: 'cloud', costUsd: 0, unpricedCalls: 2 })).toMatch(/\+ 2 unpriced$/);
    expect(costCell({ kind: 'cloud', costUsd: 0.5, unpricedCalls: 0 })).not.toMatch(/unpriced/);
  });

  test('rows built from streamed results count unpriced calls', () => {
    const unpriced = { ...result('cloud/a', 't1', 1), costUsd: null };
    const rows = modelRows(view([unpriced, result('cloud/a', 't2', 1)]), () => 'cloud');
    expect(rows.find((r) => r.modelId === 'cloud/a')?.unpricedCalls).toBe(1);
  });
});

describe('folding streamed parts into the shown run', () => {
  test('progress, results and the final table land in order; a summary sets the status', () => {
    const start: LabRunView = { ...view([]), status: 'starting' };
    const running = applyLabParts(start, [
      { type: 'progress', done: 0, total: 4, current: 'tiny · t1' },
      { type: 'result', result: result('tiny', 't1', 1) },
      { type: 'progress', done: 1, total: 4, current: 'cloud/a · t1' },
    ]);
    expect(running.status).toBe('running');
    expect(running.results).toHaveLength(1);
    expect(running.progress).toEqual({ done: 1, total: 4, current: 'cloud/a · t1' });
    // The view it came from is left as it was (the store swaps whole objects).
    expect(start.results).toHaveLength(0);

    const summary: LabRunSummary = {
      id: 'r1',
      setId: 's1',
      setName: 'Set',
      modelIds: ['tiny', 'cloud/a'],
      runs: 1,
      startedAt: new Date(0).toISOString(),
      endedAt: new Date(1).toISOString(),
      status: 'cancelled',
      models: [],
    };
    const ended = applyLabParts(running, [{ type: 'progress', done: 2, total: 4 }, { type: 'summary', run: summary }]);
    expect(ended.status).toBe('cancelled');
    expect(ended.summary).toBe(summary);
    expect(ended.progress.current).toBeNull();
    expect(isLabRunActive(ended)).toBe(false);
    expect(isLabRunActive(running)).toBe(true);
  });
});
