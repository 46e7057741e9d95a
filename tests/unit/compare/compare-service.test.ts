import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { CodedError } from '../../../shared/ipc/errors';
import type { ComparePart } from '../../../shared/ipc/routes/compare';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { ChatStore } from '../../../electron/core/chats/chat-store';
import { ChatTurnRunner } from '../../../electron/core/chats/chat-turn-runner';
import { CompareService, type CompareServiceOptions } from '../../../electron/core/compare/compare-service';
import type { LanguageModel } from '../../../electron/core/models/language-model';
import type { LocalRuntime } from '../../../electron/core/models/local-runtime';
import type { RoutingService } from '../../../electron/core/routing/routing-service';
import { ScriptedModel } from '../../support/routing-fixtures';
import { TempDirs } from '../../support/temp-dir';

/** CompareService with scripted models, a real chat store, and the router's outcome log stubbed. */

const temp = new TempDirs();
let store: ChatStore;
let recorded: { key: string | null; outcome: { prompt: string; task?: string; outcomes: Record<string, { score: number; costUsd?: number }> }; source: string }[];
let models: Map<string, LanguageModel>;

const reply = (text: string, usage?: { inputTokens: number; outputTokens: number; costUsd?: number }): StreamPart[] => [
  ...text.split(' ').map((word, i): StreamPart => ({ type: 'text-delta', text: i === 0 ? word : ` ${word}` })),
  ...(usage ? [{ type: 'usage', usage } as StreamPart] : []),
  { type: 'finish', reason: 'stop' },
];

/** A model whose stream throws (as a broken provider adapter might), after one word. */
const throwing: LanguageModel = {
  id: 'broken/model',
  async *stream() {
    yield { type: 'text-delta', text: 'Half' };
    throw new Error('socket hang up');
  },
};

function service(overrides: Partial<CompareServiceOptions> = {}): CompareService {
  const routing = {
    recordOutcome: (key: string | null, outcome: (typeof recorded)[number]['outcome'], source: string) => recorded.push({ key, outcome, source }),
    outcomes: { all: () => recorded.filter((r) => Object.keys(r.outcome.outcomes).length > 0).map((r) => ({ ...r.outcome, source: r.source, at: '' })) },
  } as unknown as RoutingService;
  return new CompareService({
    store,
    turns: new ChatTurnRunner({ store, resolveModel: async () => models.get('local-a')!, maxTokens: () => 32, onChatChanged: () => undefined }),
    resolveModel: async (modelId, context) => {
      const model = models.get(modelId);
      if (!model) throw new CodedError('MODEL_NOT_FOUND', `No model ${modelId}`);
      if (context.private && modelId.includes('/')) throw new CodedError('LOCAL_ONLY', 'This chat is private.');
      return model;
    },
    isCloud: (modelId) => modelId.includes('/'),
    runtime: { memoryBudgetBytes: async () => 100 } as unknown as LocalRuntime,
    routing,
    hasLocalOnlyContent: () => false,
    maxTokens: () => 32,
    onChatChanged: () => undefined,
    ...overrides,
  });
}

async function runCompare(compare: CompareService, chatId: string, modelIds: string[], blind = false, signal = new AbortController().signal) {
  const started = await compare.start({ chatId, text: 'Write a poem about the sea', modelIds, blind });
  const parts: ComparePart[] = [];
  await started.run((part) => parts.push(part), signal);
  return { info: started.info, parts };
}

beforeEach(async () => {
  store = new ChatStore(await temp.make('tandem-compare-unit-'));
  await store.init();
  recorded = [];
  models = new Map<string, LanguageModel>([
    ['local-a', new ScriptedModel('local-a', reply('a calm blue sea'))],
    ['local-b', new ScriptedModel('local-b', reply('waves waves'))],
    ['cloud/priced', new ScriptedModel('cloud/priced', reply('the sea is deep', { inputTokens: 9, outputTokens: 5, costUsd: 0.0012 }))],
    ['cloud/unpriced', new ScriptedModel('cloud/unpriced', reply('salt and foam', { inputTokens: 9, outputTokens: 4 }))],
    ['broken/model', throwing],
  ]);
});

afterAll(() => temp.removeAll());

describe('CompareService', () => {
  test('blind mode shuffles the models over the columns; the setup is remembered in the order asked', async () => {
    const chat = await store.create();
    const compare = service({ shuffle: (items) => items.reverse() });
    const { info } = await runCompare(compare, chat.id, ['local-a', 'cloud/priced', 'local-b'], true);
    expect(info.columns.map((c) => [c.label, c.modelId])).toEqual([
      ['A', 'local-b'],
      ['B', 'cloud/priced'],
      ['C', 'local-a'],
    ]);
    expect(store.summary(chat.id).settings?.compare).toEqual({ modelIds: ['local-a', 'cloud/priced', 'local-b'], blind: true });
    const saved = (await store.get(chat.id)).messages.filter((m) => m.compare);
    expect(saved.map((m) => [m.modelId, m.text, m.compare!.blind])).toEqual([
      ['local-b', 'waves waves', true],
      ['cloud/priced', 'the sea is deep', true],
      ['local-a', 'a calm blue sea', true],
    ]);
  });

  test('cost: 0 for a local model, the usage’s for a priced cloud model, null when the cloud price is unknown', async () => {
    const chat = await store.create();
    const { parts } = await runCompare(service(), chat.id, ['local-a', 'cloud/priced', 'cloud/unpriced']);
    const final = (column: number) => parts.filter((p) => p.type === 'column-stats' && p.column === column).at(-1) as Extract<ComparePart, { type: 'column-stats' }>;
    expect(final(0).stats).toMatchObject({ costUsd: 0, finishReason: 'stop', outputTokens: 4 });
    expect(final(1).stats).toMatchObject({ costUsd: 0.0012, inputTokens: 9, outputTokens: 5, finishReason: 'stop' });
    expect(final(2).stats).toMatchObject({ costUsd: null, outputTokens: 4 });
    expect(final(0).stats.ttftMs).toEqual(expect.any(Number));
  });

  test('a column whose model throws ends with its coded error and keeps its text; a missing model is its column’s error too', async () => {
    const chat = await store.create();
    const { parts } = await runCompare(service(), chat.id, ['broken/model', 'local-a', 'nope']);
    const last = (column: number) => parts.filter((p) => p.type === 'column' && p.column === column).at(-1);
    expect(last(0)).toEqual({ type: 'column', column: 0, part: { type: 'error', code: 'GENERATION_FAILED', message: 'socket hang up', retryable: false } });
    expect(last(1)).toEqual({ type: 'column', column: 1, part: { type: 'finish', reason: 'stop' } });
    expect(last(2)).toMatchObject({ part: { type: 'error', code: 'MODEL_NOT_FOUND' } });
    const saved = (await store.get(chat.id)).messages.filter((m) => m.compare);
    expect(saved.map((m) => [m.status, m.text, m.error?.code ?? null])).toEqual([
      ['error', 'Half', 'GENERATION_FAILED'],
      ['complete', 'a calm blue sea', null],
      ['error', '', 'MODEL_NOT_FOUND'],
    ]);
  });

  test('when no column can answer the compare is refused and nothing is saved; the chat is not left locked', async () => {
    const chat = await store.create({ modelId: 'local-a' });
    await expect(service().start({ chatId: chat.id, text: 'hi', modelIds: ['nope', 'gone'] })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect((await store.get(chat.id)).messages).toEqual([]);
    await runCompare(service(), chat.id, ['local-a', 'local-b']);
  });

  test('the chat’s turn lock: CONFLICT while a compare holds it, released when it ends', async () => {
    const chat = await store.create();
    const compare = service();
    const started = await compare.start({ chatId: chat.id, text: 'hi', modelIds: ['local-a', 'local-b'] });
    await expect(compare.start({ chatId: chat.id, text: 'again', modelIds: ['local-a', 'local-b'] })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(compare.options.turns.start({ chatId: chat.id, text: 'a turn', modelId: 'local-a' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await started.run(() => undefined, new AbortController().signal);
    const next = await compare.start({ chatId: chat.id, text: 'again', modelIds: ['local-a', 'local-b'] });
    await next.run(() => undefined, new AbortController().signal);
  });

  test('votes: winner 1 and the others 0, a tie 0.5 each, all bad 0 each; failed columns are left out; a fallback’s model gets the credit', async () => {
    models.set('cloud/falls-back', new ScriptedModel('cloud/falls-back', [
      { type: 'fallback', failedModelId: 'cloud/priced', code: 'SERVER', message: 'down', nextModelId: 'cloud/other' },
      ...reply('rescued answer'),
    ]));
    const chat = await store.create();
    const compare = service();
    const { info } = await runCompare(compare, chat.id, ['local-a', 'cloud/falls-back', 'broken/model']);
    const key = `compare:${chat.id}:${info.groupId}`;

    await compare.vote({ chatId: chat.id, groupId: info.groupId, verdict: 1 });
    expect(recorded.at(-1)).toEqual({ key, source: 'compare', outcome: { prompt: 'Write a poem about the sea', task: 'writing', outcomes: { 'local-a': { score: 0, costUsd: 0 }, 'cloud/other': { score: 1 } } } });
    await compare.vote({ chatId: chat.id, groupId: info.groupId, verdict: 'tie' });
    expect(Object.values(recorded.at(-1)!.outcome.outcomes).map((o) => o.score)).toEqual([0.5, 0.5]);
    await compare.vote({ chatId: chat.id, groupId: info.groupId, verdict: 'all-bad' });
    expect(Object.values(recorded.at(-1)!.outcome.outcomes).map((o) => o.score)).toEqual([0, 0]);
    const saved = (await store.get(chat.id)).messages.filter((m) => m.compare);
    expect(saved.map((m) => m.compare!.verdict)).toEqual(['all-bad', 'all-bad', 'all-bad']);
    await expect(compare.vote({ chatId: chat.id, groupId: info.groupId, verdict: 2 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(compare.vote({ chatId: chat.id, groupId: info.groupId, verdict: 3 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(compare.choose({ chatId: chat.id, groupId: info.groupId, column: 2 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('the leaderboard reads every outcome over two or more models, per task tag', async () => {
    const compare = service();
    const record = (prompt: string, task: string | undefined, outcomes: Record<string, { score: number }>) =>
      recorded.push({ key: null, source: 'lab', outcome: { prompt, ...(task ? { task } : {}), outcomes } });
    for (let i = 0; i < 6; i += 1) record('Compute 12*7', undefined, { strong: { score: 1 }, weak: { score: 0 } });
    record('Write a haiku', 'writing', { weak: { score: 0.9 }, strong: { score: 0.4 } });
    record('one model only', 'writing', { weak: { score: 1 } });
    const board = compare.leaderboard({});
    expect(board.rows.map((r) => [r.modelId, r.wins, r.losses])).toEqual([
      ['strong', 6, 1],
      ['weak', 1, 6],
    ]);
    expect(board.comparisons).toBe(7);
    expect(board.byTag).toMatchObject({ math: 6, writing: 1, code: 0 });
    const writing = compare.leaderboard({ tag: 'writing' });
    expect(writing.rows[0]!.modelId).toBe('weak');
    expect(writing.comparisons).toBe(1);
    expect(writing.tag).toBe('writing');
  });
});
