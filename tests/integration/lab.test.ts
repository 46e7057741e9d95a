import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { LabRunSchema, LabRunSummarySchema, type LabRunPart, type LabRunSummary } from '../../shared/ipc/routes/lab';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/**
 * The benchmark lab on a real core: a task set with exact, regex and
 * JSON-schema graders run on stories260K (real, grammar-constrained for the
 * JSON task), a scripted cloud model that answers right, and a cloud model
 * that always fails (HTTP 500), two calls at a time. Results, the table,
 * router outcomes, the saved run and its CSV are what a user would check.
 */

const KEY = 'sk-lab-test-0123456789abcdef';
const RIGHT = 'fake/lab-right';
const FAILING = 'flaky/fault-500';
const PERSON_SCHEMA = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false };
const TASKS = [
  { id: 'capital', prompt: 'What is the capital of France? One word.', reference: 'Paris', grader: 'exact' },
  { id: 'greeting', prompt: 'Greet me with the word hello.', grader: { type: 'regex', pattern: '^\\s*hello\\b', flags: 'i' } },
  { id: 'count', prompt: 'Give a number as JSON: {"n": N}.', grader: { type: 'json-schema', schema: PERSON_SCHEMA }, maxTokens: 24 },
];
const temp = new TempDirs();
let server: FakeOpenAIServer;
let core: Core;
let client: CollectingClient;

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({ apiKey: KEY });
  // Answers each lab task right, whatever the wording around it.
  server.script('lab-right', (body) => {
    const messages = body.messages as { content: string }[];
    const prompt = String(messages.at(-1)?.content ?? '');
    if (prompt.includes('capital')) return { text: 'Paris.' };
    if (prompt.includes('Greet')) return { text: 'Hello there!' };
    return { text: '```json\n{"n": 7}\n```' };
  });
  const dataDir = await temp.make('tandem-lab-');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { [RIGHT]: { input: 2, output: 10 }, [FAILING]: { input: 1, output: 1 } } }));
  core = await createCore({
    dataDir,
    modelsDirs: [sharedModelsDir],
    mode: 'serve',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
    providerRetry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  client = new CollectingClient(core.rpc);
  // Two providers on the same fake server: the failing one's circuit must not stop the good one.
  await client.call('providers.add', { name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
  await client.call('providers.add', { name: 'flaky', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
  await client.call('settings.update', { maxTokens: 16 });
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

const jsonl = (...lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('the benchmark lab', () => {
  let setId: string;

  test('import reports the bad lines by number and keeps the rest; export gives the same tasks back', async () => {
    const { set, skipped } = await client.call('lab.sets.import', {
      name: 'smoke.jsonl',
      jsonl: jsonl(TASKS[0], '{"prompt": "half a line', TASKS[1], { prompt: 'nothing to grade against' }, TASKS[2]),
    });
    setId = set.id;
    expect(set).toMatchObject({ name: 'smoke.jsonl', taskCount: 3, graders: { exact: 1, regex: 1, 'json-schema': 1 } });
    expect(skipped).toEqual([
      { line: 2, message: expect.stringMatching(/not JSON/) },
      { line: 4, message: expect.stringMatching(/no grader and no reference/) },
    ]);
    expect((await client.call('lab.sets.list', {})).map((s) => s.id)).toContain(setId);

    const exported = await client.call('lab.sets.export', { setId });
    expect(exported.filename).toBe('smoke.jsonl');
    const again = await client.call('lab.sets.import', { name: 'copy', jsonl: exported.content });
    expect(again.skipped).toEqual([]);
    const [original, copy] = await Promise.all([client.call('lab.sets.get', { setId }), client.call('lab.sets.get', { setId: again.set.id })]);
    expect(copy.tasks).toEqual(original.tasks);
    expect(original.tasks[2]).toMatchObject({ id: 'count', grader: { type: 'json-schema', schema: PERSON_SCHEMA }, maxTokens: 24 });
    await client.call('lab.sets.delete', { setId: again.set.id });
    expect((await client.call('lab.sets.list', {})).map((s) => s.id)).not.toContain(again.set.id);
    expect((await client.request('lab.sets.get', { setId: again.set.id })).ok).toBe(false);
  });

  test('the estimate: tasks × models × runs calls; cloud models at their price, the local one free', async () => {
    const estimate = await client.call('lab.estimate', { setId, modelIds: [storiesModelId, RIGHT, FAILING], runs: 2 });
    expect(estimate.calls).toBe(3 * 3 * 2);
    const per = Object.fromEntries(estimate.perModel.map((m) => [m.modelId, m]));
    expect(per[storiesModelId]).toEqual({ modelId: storiesModelId, calls: 6, estimatedCostUsd: 0 });
    expect(per[RIGHT]!.estimatedCostUsd).toBeGreaterThan(0);
    expect(per[FAILING]!.estimatedCostUsd).toBeGreaterThan(0);
    expect(per[RIGHT]!.estimatedCostUsd!).toBeGreaterThan(per[FAILING]!.estimatedCostUsd!); // pricier per token
    expect(estimate.estimatedCostUsd).toBeCloseTo(per[RIGHT]!.estimatedCostUsd! + per[FAILING]!.estimatedCostUsd!, 10);
    expect(server.bodies).toHaveLength(0); // estimating sends nothing
  });

  test('a run, two calls at a time: progress and results stream, the failing model is counted, outcomes and the saved run follow', async () => {
    const outcomesBefore = core.routing.outcomes.all().length;
    const started = await client.call('lab.run', { setId, modelIds: [storiesModelId, RIGHT, FAILING], parallel: 2 });
    expect(started.info.total).toBe(9);
    const view = await client.waitForEnd(started.streamId, 60_000);
    expect(view.end?.status).toBe('completed');
    const parts = view.parts as unknown as LabRunPart[];

    const progress = parts.filter((p) => p.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(9);
    expect(progress.at(-1)).toMatchObject({ done: 9, total: 9 });
    expect(progress.some((p) => p.type === 'progress' && p.current === `${RIGHT} · capital`)).toBe(true);
    const results = parts.flatMap((p) => (p.type === 'result' ? [p.result] : []));
    expect(results).toHaveLength(9);
    const last = parts.at(-1)!;
    expect(last.type).toBe('summary');
    const summary = LabRunSummarySchema.parse((last as { run: LabRunSummary }).run);
    expect(summary).toMatchObject({ id: started.info.runId, status: 'done', setName: 'smoke.jsonl', runs: 1 });

    const row = Object.fromEntries(summary.models.map((m) => [m.modelId, m]));
    // The scripted cloud model answers all three right (the JSON one inside a ```json fence).
    expect(row[RIGHT]).toMatchObject({ kind: 'cloud', quality: 1, calls: 3, errors: 0, peakMemoryBytes: null });
    expect(row[RIGHT]!.costUsd).toBeGreaterThan(0);
    expect(row[RIGHT]!.ttftMs).not.toBeNull();
    // The failing model: every call an error, quality 0, and the run went on.
    expect(row[FAILING]).toMatchObject({ kind: 'cloud', quality: 0, calls: 3, errors: 3, ttftMs: null });
    for (const r of results.filter((r) => r.modelId === FAILING)) expect(r).toMatchObject({ score: null, error: { code: 'SERVER' } });
    // stories260K really ran: text, timings, memory; the grammar makes its JSON answer valid.
    expect(row[storiesModelId]).toMatchObject({ kind: 'local', calls: 3, errors: 0, costUsd: 0 });
    expect(row[storiesModelId]!.ttftMs).toBeGreaterThan(0);
    expect(row[storiesModelId]!.tokensPerSecond).toBeGreaterThan(0);
    expect(row[storiesModelId]!.peakMemoryBytes).toBeGreaterThan(0);
    const storiesJson = results.find((r) => r.modelId === storiesModelId && r.taskId === 'count')!;
    expect(JSON.parse(storiesJson.answer)).toEqual({ n: expect.any(Number) });
    expect(storiesJson.score).toBe(1);
    expect(row[storiesModelId]!.quality).toBeGreaterThanOrEqual(1 / 3);
    expect(row[storiesModelId]!.quality).toBeLessThanOrEqual(1);

    // The JSON task asked the cloud for schema-constrained output.
    const jsonBody = server.bodies.find((b) => b.model === 'lab-right' && JSON.stringify(b.messages).includes('as JSON'));
    expect(jsonBody?.response_format).toMatchObject({ type: 'json_schema', json_schema: { schema: PERSON_SCHEMA } });

    // Each task became one router outcome. The failing model's SERVER errors count in the table but not in the
    // outcomes: a provider's failure says nothing about the model's answers.
    const outcomes = core.routing.outcomes.all().slice(outcomesBefore).filter((o) => o.source === 'lab');
    expect(outcomes).toHaveLength(3);
    const capital = outcomes.find((o) => o.prompt === TASKS[0]!.prompt)!;
    expect(capital.outcomes[RIGHT]).toMatchObject({ score: 1 });
    expect(capital.outcomes[FAILING]).toBeUndefined();
    expect(capital.outcomes[storiesModelId]).toBeDefined();
    expect(outcomes.find((o) => o.prompt === TASKS[2]!.prompt)!.outcomes[storiesModelId]).toMatchObject({ score: 1 });

    // Saved: listed, readable with every result, exported as CSV (a header, a row per result) and JSON.
    const listed = await client.call('lab.runs.list', {});
    expect(listed.find((r) => r.id === started.info.runId)).toMatchObject({ status: 'done' });
    const saved = LabRunSchema.parse(await client.call('lab.runs.get', { runId: started.info.runId }));
    expect(saved.results).toHaveLength(9);
    expect(saved.models).toEqual(summary.models);
    const csv = await client.call('lab.runs.export', { runId: started.info.runId, format: 'csv' });
    expect(csv).toMatchObject({ mimeType: 'text/csv', filename: expect.stringMatching(/\.csv$/) });
    const rows = parseCsv(csv.content);
    expect(rows[0]!.slice(0, 4)).toEqual(['model', 'task', 'run', 'score']);
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(r).toHaveLength(rows[0]!.length);
    const answerColumn = rows[0]!.indexOf('answer');
    expect(rows.slice(1).map((r) => r[answerColumn])).toEqual(saved.results.map((r) => r.answer));
    const json = await client.call('lab.runs.export', { runId: started.info.runId, format: 'json' });
    expect(LabRunSchema.parse(JSON.parse(json.content)).results).toHaveLength(9);
  });

  test('repetitions ask the model again (never the response cache); a judge task is scored by the first local model', async () => {
    const { set } = await client.call('lab.sets.import', {
      name: 'judged',
      jsonl: jsonl({ id: 'capital', prompt: TASKS[0]!.prompt, grader: { type: 'judge', rubric: 'Names Paris' }, reference: 'Paris' }),
    });
    const before = server.count('lab-right');
    const started = await client.call('lab.run', { setId: set.id, modelIds: [RIGHT], runs: 2 });
    const view = await client.waitForEnd(started.streamId, 60_000);
    expect(view.end?.status).toBe('completed');
    expect(server.count('lab-right') - before).toBe(2);
    const saved = await client.call('lab.runs.get', { runId: started.info.runId });
    expect(saved.results.map((r) => r.run)).toEqual([1, 2]);
    for (const result of saved.results) {
      expect(result.error).toBeNull();
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(1);
      expect(result.note).toMatch(new RegExp(`^judge ${storiesModelId}: \\d+/10`));
      expect(result.note).not.toMatch(/cache/);
    }
  });

  test('a cloud call the budget cannot afford is that call’s BUDGET_EXCEEDED error; local calls go on', async () => {
    const settings = await client.call('settings.get', {});
    const { routing } = settings;
    await client.call('settings.update', { routing: { ...routing, budget: { ...routing.budget, dailyUsd: 1e-9 } } });
    try {
      const before = server.count('lab-right');
      const started = await client.call('lab.run', { setId, modelIds: [RIGHT, storiesModelId], parallel: 2 });
      const view = await client.waitForEnd(started.streamId, 60_000);
      expect(view.end?.status).toBe('completed');
      const saved = await client.call('lab.runs.get', { runId: started.info.runId });
      expect(saved.status).toBe('done');
      const refused = saved.results.filter((r) => r.modelId === RIGHT);
      expect(refused).toHaveLength(3);
      for (const r of refused) expect(r).toMatchObject({ score: null, error: { code: 'BUDGET_EXCEEDED' } });
      expect(server.count('lab-right')).toBe(before); // refused before sending
      expect(saved.models.find((m) => m.modelId === storiesModelId)).toMatchObject({ calls: 3, errors: 0 });
    } finally {
      await client.call('settings.update', { routing });
    }
  });

  test('stopping a run ends it at once, saved as cancelled with what finished', async () => {
    const { set } = await client.call('lab.sets.import', {
      name: 'slow',
      jsonl: jsonl({ prompt: 'first', reference: 'Hello' }, { prompt: 'second', reference: 'Hello' }, { prompt: 'third', reference: 'Hello' }),
    });
    // slow-test streams for ten seconds; gpt-test answers at once.
    const started = await client.call('lab.run', { setId: set.id, modelIds: ['fake/gpt-test', 'fake/slow-test'], parallel: 2 });
    await waitUntil(() => client.stream(started.streamId).parts.some((p) => (p as unknown as LabRunPart).type === 'result'), 'a first result', 10_000);
    const stoppedAt = Date.now();
    await client.call('stream.cancel', { streamId: started.streamId });
    const view = await client.waitForEnd(started.streamId, 5_000);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(view.end?.status).toBe('cancelled');
    // The last part is still the table, of what finished.
    const last = view.parts.at(-1) as unknown as LabRunPart;
    expect(last).toMatchObject({ type: 'summary', run: { id: started.info.runId, status: 'cancelled' } });
    const slow = (last as Extract<LabRunPart, { type: 'summary' }>).run.models.find((m) => m.modelId === 'fake/slow-test');
    expect(slow).toMatchObject({ calls: 0, errors: 0 });
    const saved = await client.call('lab.runs.get', { runId: started.info.runId });
    expect(saved.status).toBe('cancelled');
    expect(saved.endedAt).not.toBeNull();
    expect(saved.results.length).toBeGreaterThanOrEqual(1);
    expect(saved.results.length).toBeLessThan(6);
    expect(saved.results.every((r) => r.modelId === 'fake/gpt-test')).toBe(true);
  });
});
