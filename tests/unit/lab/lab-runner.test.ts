import { describe, expect, test } from 'vitest';
import { CodedError } from '../../../shared/ipc/errors';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { LabRun, LabRunPart, TaskSet } from '../../../shared/ipc/routes/lab';
import type { GenerateRequest, LanguageModel } from '../../../electron/core/models/language-model';
import { LabRunner, type LabRunnerDeps } from '../../../electron/core/lab/lab-runner';
import { LocalSlot } from '../../../electron/core/lab/local-slot';

/** The lab runner's scheduling, grading and outcomes against scripted models (no real model needed for these rules). */

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

interface Tracker {
  running: Map<string, number>;
  peakLocal: number;
  peakAll: number;
  requests: GenerateRequest[];
}

function scripted(id: string, tracker: Tracker, answer: (request: GenerateRequest) => string | Error, delayMs = 20, local = false): LanguageModel {
  return {
    id,
    async *stream(request, { signal }): AsyncIterable<StreamPart> {
      tracker.requests.push(request);
      tracker.running.set(id, (tracker.running.get(id) ?? 0) + 1);
      const count = (pred: (id: string) => boolean) => [...tracker.running].filter(([k]) => pred(k)).reduce((s, [, n]) => s + n, 0);
      tracker.peakLocal = Math.max(tracker.peakLocal, count((k) => k.startsWith('local')));
      tracker.peakAll = Math.max(tracker.peakAll, count(() => true));
      try {
        await sleep(delayMs, signal);
        if (signal.aborted) {
          yield { type: 'finish', reason: 'cancelled' };
          return;
        }
        const reply = answer(request);
        if (reply instanceof Error) {
          yield { type: 'error', code: 'SERVER', message: reply.message, retryable: false };
          return;
        }
        yield { type: 'text-delta', text: reply.slice(0, 1) };
        await sleep(5);
        yield { type: 'text-delta', text: reply.slice(1) };
        yield { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, ...(local ? {} : { costUsd: 0.001 }) } };
        yield { type: 'finish', reason: 'stop' };
      } finally {
        tracker.running.set(id, tracker.running.get(id)! - 1);
      }
    },
  };
}

const SET: TaskSet = {
  id: 's',
  name: 'set',
  taskCount: 3,
  graders: {},
  updatedAt: '2026-01-01T00:00:00.000Z',
  tasks: [
    { id: 'capital', prompt: 'Capital of France?', reference: 'Paris', grader: { type: 'exact' } },
    { id: 'yes', prompt: 'Say yes', grader: { type: 'regex', pattern: '^yes', flags: 'i' } },
    { id: 'json', prompt: 'Give JSON', grader: { type: 'json-schema', schema: { type: 'object', required: ['ok'] } } },
  ],
};

function startRun(modelIds: string[], runs = 1): LabRun {
  return { id: 'r', setId: 's', setName: 'set', modelIds, runs, startedAt: new Date().toISOString(), endedAt: null, status: 'running', models: [], results: [] };
}

const rightAnswer = (request: GenerateRequest) => {
  const prompt = (request.messages[0] as { text: string }).text;
  return prompt.startsWith('Capital') ? 'Paris.' : prompt.startsWith('Say') ? 'Yes!' : '{"ok": true}';
};

function harness(models: Record<string, LanguageModel>, over: Partial<LabRunnerDeps> = {}) {
  const outcomes: { prompt: string; task: string; outcomes: Record<string, { score: number; costUsd?: number }> }[] = [];
  const deps: LabRunnerDeps = {
    resolveModel: async (id) => {
      const model = models[id];
      if (!model) throw Object.assign(new Error(`no model ${id}`), { name: 'Error' });
      return model;
    },
    isCloud: (id) => id.startsWith('cloud'),
    loaded: () => [{ modelId: 'local-a', memoryBytes: 5_000_000, kind: 'chat' }],
    recordOutcome: (prompt, task, o) => outcomes.push({ prompt, task, outcomes: o }),
    defaultJudgeModelId: async () => null,
    maxTokens: () => 64,
    ...over,
  };
  return { deps, outcomes };
}

describe('LabRunner', () => {
  test('parallel 4: cloud calls overlap, local calls never do; every call is a result; outcomes per task and run', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const models = {
      'local-a': scripted('local-a', tracker, rightAnswer, 15, true),
      'local-b': scripted('local-b', tracker, () => 'nope', 15, true),
      'cloud/x': scripted('cloud/x', tracker, rightAnswer, 30),
      'cloud/y': scripted('cloud/y', tracker, rightAnswer, 30),
    };
    const { deps, outcomes } = harness(models);
    const parts: LabRunPart[] = [];
    const run = await new LabRunner(deps, SET, 4).execute(startRun(Object.keys(models), 2), (p) => parts.push(p), new AbortController().signal);

    expect(tracker.peakLocal).toBe(1);
    expect(tracker.peakAll).toBeGreaterThan(1);
    expect(tracker.peakAll).toBeLessThanOrEqual(4);
    expect(run.status).toBe('done');
    expect(run.results).toHaveLength(3 * 4 * 2);
    expect(parts.filter((p) => p.type === 'result')).toHaveLength(24);
    const progress = parts.filter((p) => p.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: 24, total: 24 });
    expect(progress.some((p) => p.type === 'progress' && p.current === 'cloud/x · capital')).toBe(true);

    const byModel = Object.fromEntries(run.models.map((m) => [m.modelId, m]));
    expect(byModel['local-a']).toMatchObject({ quality: 1, kind: 'local', calls: 6, errors: 0, peakMemoryBytes: 5_000_000, costUsd: 0 });
    expect(byModel['local-b']).toMatchObject({ quality: 0, kind: 'local', peakMemoryBytes: null });
    expect(byModel['cloud/x']).toMatchObject({ quality: 1, kind: 'cloud', peakMemoryBytes: null });
    expect(byModel['cloud/x']!.costUsd).toBeCloseTo(0.006);
    expect(byModel['cloud/x']!.tokensPerSecond).toBeGreaterThan(0);

    // One outcome per (run, task) with every model's score.
    expect(outcomes).toHaveLength(6);
    expect(outcomes.find((o) => o.prompt === 'Capital of France?')).toEqual({
      prompt: 'Capital of France?',
      task: 'other',
      outcomes: { 'local-a': { score: 1, costUsd: 0 }, 'local-b': { score: 0, costUsd: 0 }, 'cloud/x': { score: 1, costUsd: 0.001 }, 'cloud/y': { score: 1, costUsd: 0.001 } },
    });
    // The JSON-schema task asked for grammar-constrained output; the others did not.
    const jsonRequest = tracker.requests.find((r) => (r.messages[0] as { text: string }).text === 'Give JSON');
    expect(jsonRequest?.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object', required: ['ok'] } });
    expect(tracker.requests.find((r) => (r.messages[0] as { text: string }).text === 'Say yes')?.responseFormat).toBeUndefined();
    // Saved in task order, models in the order chosen.
    expect(run.results.slice(0, 4).map((r) => `${r.run}:${r.taskId}:${r.modelId}`)).toEqual(['1:capital:local-a', '1:capital:local-b', '1:capital:cloud/x', '1:capital:cloud/y']);
  });

  test('two runs at once share the local slot: both finish, local calls still one at a time', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const models = { 'local-a': scripted('local-a', tracker, rightAnswer, 10, true), 'local-b': scripted('local-b', tracker, rightAnswer, 10, true) };
    const { deps } = harness(models);
    const slot = new LocalSlot();
    const signal = new AbortController().signal;
    const [one, two] = await Promise.all([
      new LabRunner(deps, SET, 2, slot).execute(startRun(['local-a']), () => undefined, signal),
      new LabRunner(deps, SET, 2, slot).execute(startRun(['local-b', 'local-a']), () => undefined, signal),
    ]);
    expect([one.status, two.status]).toEqual(['done', 'done']);
    expect(one.results).toHaveLength(3);
    expect(two.results).toHaveLength(6);
    expect(tracker.peakLocal).toBe(1);
  });

  test('a failing model and one that cannot be found are errors counted as 0; the run finishes', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const models = { 'cloud/ok': scripted('cloud/ok', tracker, rightAnswer, 5), 'cloud/bad': scripted('cloud/bad', tracker, () => new Error('boom'), 5) };
    const { deps, outcomes } = harness(models);
    const run = await new LabRunner(deps, SET, 2).execute(startRun(['cloud/ok', 'cloud/bad', 'local-missing']), () => undefined, new AbortController().signal);
    expect(run.status).toBe('done');
    const byModel = Object.fromEntries(run.models.map((m) => [m.modelId, m]));
    expect(byModel['cloud/bad']).toMatchObject({ quality: 0, calls: 3, errors: 3 });
    expect(byModel['local-missing']).toMatchObject({ quality: 0, calls: 3, errors: 3 });
    expect(run.results.find((r) => r.modelId === 'cloud/bad')).toMatchObject({ score: null, error: { code: 'SERVER', message: 'boom' } });
    expect(run.results.find((r) => r.modelId === 'local-missing')?.error).toMatchObject({ code: 'INTERNAL', message: 'no model local-missing' });
    // A server's failure and a model that cannot be found say nothing about quality: left out of the outcomes.
    expect(outcomes[0]!.outcomes).toEqual({ 'cloud/ok': { score: 1, costUsd: 0.001 } });
  });

  test('a local model is loaded before its timed call; a load that fails is that call’s error', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const prepared: string[] = [];
    const { deps } = harness(
      { 'local-a': scripted('local-a', tracker, rightAnswer, 5, true), 'local-broken': scripted('local-broken', tracker, rightAnswer, 5, true) },
      {
        prepareLocal: async (id) => {
          prepared.push(id);
          if (id === 'local-broken') throw new CodedError('MODEL_LOAD_FAILED', 'does not fit');
          expect(tracker.running.get(id) ?? 0).toBe(0);
        },
      },
    );
    const run = await new LabRunner(deps, SET, 2).execute(startRun(['local-a', 'local-broken', 'cloud/none']), () => undefined, new AbortController().signal);
    expect(prepared.filter((id) => id === 'local-a')).toHaveLength(3);
    expect(prepared).not.toContain('cloud/none');
    expect(run.results.filter((r) => r.modelId === 'local-broken').map((r) => r.error?.code)).toEqual(['MODEL_LOAD_FAILED', 'MODEL_LOAD_FAILED', 'MODEL_LOAD_FAILED']);
    expect(tracker.requests).toHaveLength(3); // local-broken never streamed
  });

  test('a judge task with no judge available is a grading error, not the model’s: left out of outcomes', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const set: TaskSet = { ...SET, tasks: [{ id: 'j', prompt: 'Write a haiku', grader: { type: 'judge', rubric: 'A haiku' } }] };
    const { deps, outcomes } = harness({ 'cloud/ok': scripted('cloud/ok', tracker, () => 'an old pond', 5) });
    const run = await new LabRunner(deps, set, 1).execute(startRun(['cloud/ok']), () => undefined, new AbortController().signal);
    expect(run.results[0]).toMatchObject({ score: null, answer: 'an old pond', error: { code: 'NO_MODEL_AVAILABLE', message: expect.stringMatching(/^Grading failed/) } });
    expect(outcomes).toEqual([]);
  });

  test('stopping aborts the calls in flight at once and ends cancelled with what finished', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const { deps } = harness({ 'cloud/slow': scripted('cloud/slow', tracker, rightAnswer, 300), 'cloud/fast': scripted('cloud/fast', tracker, rightAnswer, 5) });
    const controller = new AbortController();
    const started = Date.now();
    const stopOnFirstResult = (part: LabRunPart) => {
      if (part.type === 'result' && part.result.modelId === 'cloud/fast') controller.abort();
    };
    const run = await new LabRunner(deps, SET, 2).execute(startRun(['cloud/fast', 'cloud/slow']), stopOnFirstResult, controller.signal);
    expect(Date.now() - started).toBeLessThan(250);
    expect(run.status).toBe('cancelled');
    expect(run.results.map((r) => r.modelId)).toEqual(['cloud/fast']);
    expect([...tracker.running.values()].every((n) => n === 0)).toBe(true);
  });

  /** A model that streams exactly these parts. */
  const parts = (id: string, list: StreamPart[] | ((request: GenerateRequest) => StreamPart[]), delayMs = 5): LanguageModel => ({
    id,
    async *stream(request, { signal }) {
      await sleep(delayMs, signal);
      for (const part of typeof list === 'function' ? list(request) : list) yield part;
    },
  });
  const route = (chosenModelId: string): StreamPart => ({ type: 'route', decision: { chosenModelId } as never });
  const ONE_TASK: TaskSet = { ...SET, tasks: [SET.tasks[0]!] };

  test('Auto is priced by the model that answered, and does not take the one-local-call slot', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    let autoOverlapsLocal = false;
    const models: Record<string, LanguageModel> = {
      'local-a': scripted('local-a', tracker, rightAnswer, 60, true),
      auto: parts('auto', () => {
        autoOverlapsLocal ||= (tracker.running.get('local-a') ?? 0) > 0;
        return [route('cloud/x'), { type: 'text-delta', text: 'Paris.' }, { type: 'usage', usage: { inputTokens: 3, outputTokens: 2, costUsd: 0.002 } }, { type: 'finish', reason: 'stop' }];
      }, 20),
    };
    const { deps } = harness(models);
    const run = await new LabRunner(deps, ONE_TASK, 2).execute(startRun(['local-a', 'auto']), () => undefined, new AbortController().signal);
    expect(run.results.find((r) => r.modelId === 'auto')).toMatchObject({ score: 1, costUsd: 0.002 });
    expect(run.models.find((m) => m.modelId === 'auto')).toMatchObject({ costUsd: 0.002, unpricedCalls: 0 });
    expect(autoOverlapsLocal).toBe(true);
    // Auto routed to a local model: free, and not "unpriced".
    const local = harness({ auto: parts('auto', [route('local-a'), { type: 'text-delta', text: 'Paris.' }, { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } }, { type: 'finish', reason: 'stop' }]) });
    const localRun = await new LabRunner(local.deps, ONE_TASK, 1).execute(startRun(['auto']), () => undefined, new AbortController().signal);
    expect(localRun.results[0]).toMatchObject({ costUsd: 0, error: null });
  });

  test('a cloud judge’s cost is added to the result’s; calls with an unknown cloud price are counted as unpriced', async () => {
    const tracker: Tracker = { running: new Map(), peakLocal: 0, peakAll: 0, requests: [] };
    const set: TaskSet = { ...SET, tasks: [{ id: 'j', prompt: 'Write a haiku', grader: { type: 'judge', rubric: 'A haiku', judgeModelId: 'cloud/judge' } }] };
    const models: Record<string, LanguageModel> = {
      'cloud/ok': scripted('cloud/ok', tracker, () => 'an old pond', 5),
      'cloud/unpriced': parts('cloud/unpriced', [{ type: 'text-delta', text: 'frog' }, { type: 'usage', usage: { inputTokens: 3, outputTokens: 1 } }, { type: 'finish', reason: 'stop' }]),
      'cloud/judge': parts('cloud/judge', [
        { type: 'text-delta', text: '{"score": 8, "reason": "fine"}' },
        { type: 'usage', usage: { inputTokens: 50, outputTokens: 10, costUsd: 0.01 } },
        { type: 'finish', reason: 'stop' },
      ]),
    };
    const { deps } = harness(models);
    const run = await new LabRunner(deps, set, 1).execute(startRun(['cloud/ok', 'cloud/unpriced']), () => undefined, new AbortController().signal);
    expect(run.results[0]!.costUsd).toBeCloseTo(0.011);
    expect(run.results[0]!.score).toBeGreaterThan(0.5);
    expect(run.results[1]).toMatchObject({ costUsd: null, error: null });
    expect(run.models.find((m) => m.modelId === 'cloud/ok')).toMatchObject({ unpricedCalls: 0 });
    expect(run.models.find((m) => m.modelId === 'cloud/unpriced')).toMatchObject({ costUsd: 0, unpricedCalls: 1 });
  });

  test('outcomes leave out failures of the provider, budget or network, but score a model’s own failures 0; the table counts both', async () => {
    const failing = (code: string, retryable = false) => parts(code, [{ type: 'error', code: code as never, message: code, retryable }]);
    const models: Record<string, LanguageModel> = {
      'cloud/ok': parts('cloud/ok', [{ type: 'text-delta', text: 'Paris' }, { type: 'finish', reason: 'stop' }]),
      'cloud/budget': failing('BUDGET_EXCEEDED'),
      'cloud/limited': failing('RATE_LIMITED', true),
      'cloud/flaky': failing('GENERATION_FAILED', true),
      'cloud/long': failing('CONTEXT_TOO_LONG'),
      'cloud/filtered': failing('CONTENT_FILTERED'),
    };
    const { deps, outcomes } = harness(models);
    const run = await new LabRunner(deps, ONE_TASK, 3).execute(startRun(Object.keys(models)), () => undefined, new AbortController().signal);
    expect(outcomes[0]!.outcomes).toEqual({ 'cloud/ok': { score: 1 }, 'cloud/long': { score: 0, costUsd: 0 }, 'cloud/filtered': { score: 0, costUsd: 0 } });
    expect(run.models.filter((m) => m.errors === 1).map((m) => m.modelId)).toEqual(['cloud/budget', 'cloud/limited', 'cloud/flaky', 'cloud/long', 'cloud/filtered']);
  });

  test('a call cancelled without the user’s Stop (a closing queue) is a result with its error: done reaches total', async () => {
    const closing: LanguageModel = {
      id: 'cloud/closing',
      // eslint-disable-next-line require-yield
      async *stream() {
        throw new CodedError('CANCELLED', 'The request queue is closed');
      },
    };
    const { deps } = harness({ 'cloud/closing': closing, 'cloud/ok': parts('cloud/ok', [{ type: 'text-delta', text: 'Paris' }, { type: 'finish', reason: 'stop' }]) });
    const emitted: LabRunPart[] = [];
    const run = await new LabRunner(deps, ONE_TASK, 1).execute(startRun(['cloud/closing', 'cloud/ok']), (p) => emitted.push(p), new AbortController().signal);
    expect(run.status).toBe('done');
    expect(run.results.map((r) => r.error?.code ?? null)).toEqual(['CANCELLED', null]);
    expect(emitted.filter((p) => p.type === 'progress').at(-1)).toMatchObject({ done: 2, total: 2 });
  });
});
