import { afterAll, describe, expect, test } from 'vitest';
import type { LabRunPart } from '../../../shared/ipc/routes/lab';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { LabService, type LabServiceOptions } from '../../../electron/core/lab/lab-service';
import type { LanguageModel } from '../../../electron/core/models/language-model';
import { TempDirs } from '../../support/temp-dir';

/** LabService over scripted models: the estimate, and results kept across a crash. */

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const JSONL = [
  { id: 'capital', prompt: 'Capital of France?', reference: 'Paris', grader: 'exact' },
  { id: 'haiku', prompt: 'Write a haiku', grader: { type: 'judge', rubric: 'A haiku', judgeModelId: 'cloud/judge' } },
]
  .map((t) => JSON.stringify(t))
  .join('\n');

function answering(id: string, delayMs: number): LanguageModel {
  return {
    id,
    async *stream(_request, { signal }): AsyncIterable<StreamPart> {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (signal.aborted) {
        yield { type: 'finish', reason: 'cancelled' };
        return;
      }
      yield { type: 'text-delta', text: id === 'cloud/judge' ? '{"score": 9, "reason": "ok"}' : 'Paris' };
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

function service(dir: string, over: Partial<LabServiceOptions> = {}): LabService {
  return new LabService({
    dir,
    resolveModel: async (id) => answering(id, id === 'cloud/slow' ? 400 : 5),
    isCloud: (id) => id.startsWith('cloud'),
    runtime: { loaded: () => [] },
    routing: {
      estimate: async (_text: string, modelId: string) => ({ promptTokens: 5, modelId, estimatedCostUsd: modelId === 'cloud/unpriced' ? null : modelId.startsWith('cloud') ? 0.01 : 0 }),
      recordOutcome: () => undefined,
    } as unknown as LabServiceOptions['routing'],
    onChanged: () => undefined,
    ...over,
  });
}

describe('LabService', () => {
  test('the estimate counts a cloud judge’s calls and names the models whose price is unknown', async () => {
    const lab = service(await temp.make('tandem-lab-est-'));
    const { set } = await lab.importSet('set', JSONL);
    const estimate = await lab.estimate({ setId: set.id, modelIds: ['local', 'cloud/x', 'cloud/unpriced'], runs: 2 });
    const per = Object.fromEntries(estimate.perModel.map((m) => [m.modelId, m]));
    // The judge scores one task's answers: 3 models × 2 runs.
    expect(per['cloud/judge']).toEqual({ modelId: 'cloud/judge', calls: 6, estimatedCostUsd: 0.06 });
    expect(estimate.calls).toBe(3 * 2 * 2 + 6);
    expect(estimate.estimatedCostUsd).toBeCloseTo(0.04 + 0.06);
    expect(estimate.unpricedModelIds).toEqual(['cloud/unpriced']);
  });

  test('a crash during a run keeps the results that landed: the run reads back as error with them', async () => {
    const dir = await temp.make('tandem-lab-crash-svc-');
    const lab = service(dir);
    const { set } = await lab.importSet('set', JSONL.split('\n')[0]!);
    const started = await lab.startRun({ setId: set.id, modelIds: ['cloud/fast', 'cloud/slow'] });
    const controller = new AbortController();
    let firstResult: () => void = () => undefined;
    const landed = new Promise<void>((resolve) => (firstResult = resolve));
    const running = started.run((part: LabRunPart) => {
      if (part.type === 'result') firstResult();
    }, controller.signal);
    await landed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // "After a restart": another service on the same folder (it has no run going on).
    const restarted = service(dir);
    const run = await restarted.getRun(started.info.runId);
    expect(run.status).toBe('error');
    expect(run.results.map((r) => r.modelId)).toEqual(['cloud/fast']);
    expect(run.models.find((m) => m.modelId === 'cloud/fast')).toMatchObject({ calls: 1, quality: 1 });
    controller.abort();
    await running;
  });
});
