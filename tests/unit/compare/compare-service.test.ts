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
import { requestPromptTokens } from '../../../electron/core/providers/token-estimate';
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

/** A model that answers one word every `ms`, logging when it starts and ends. */
function slowModel(id: string, wordsCount: number, ms: number, log: string[]): LanguageModel {
  return {
    id,
    async *stream(_request, { signal }) {
      log.push(`start ${id}`);
      for (let i = 0; i < wordsCount; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, ms));
        if (signal.aborted) {
          log.push(`stopped ${id}`);
          yield { type: 'finish', reason: 'cancelled' };
          return;
        }
        yield { type: 'text-delta', text: `${id}${i} ` };
      }
      log.push(`end ${id}`);
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

const finalStats = (parts: ComparePart[], column: number) =>
  (parts.filter((p) => p.type === 'column-stats' && p.column === column).at(-1) as Extract<ComparePart, { type: 'column-stats' }>).stats;

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

  test('local columns run one after another: the second waits for its turn (loaded ahead when it fits), so its time to first token is its own', async () => {
    const log: string[] = [];
    models.set('local-a', slowModel('local-a', 6, 25, log));
    models.set('local-b', slowModel('local-b', 2, 5, log));
    const chat = await store.create();
    const compare = service({
      localNeedBytes: async () => 40, // 40 + 40 fit the budget of 100
      prepareLocal: async (modelId) => void log.push(`prepare ${modelId}`),
    });
    const { parts } = await runCompare(compare, chat.id, ['local-a', 'local-b', 'cloud/priced']);
    expect(parts).toContainEqual({ type: 'column-wait', column: 1, wait: 'queue', message: 'Waiting for its turn on this computer' });
    expect(log.filter((l) => !l.startsWith('prepare'))).toEqual(['start local-a', 'end local-a', 'start local-b', 'end local-b']);
    expect(log.indexOf('prepare local-b')).toBeLessThan(log.indexOf('end local-a')); // loaded while A generates
    // Column B's clock starts with its turn: its first token comes after a few ms, not after A's whole answer (~150 ms).
    expect(finalStats(parts, 1).ttftMs).toBeLessThan(100);
    expect(finalStats(parts, 0).ttftMs).toBeLessThan(100);
  });

  test('a local model that does not fit beside the one before waits for memory and is not loaded ahead', async () => {
    const log: string[] = [];
    models.set('local-a', slowModel('local-a', 2, 5, log));
    models.set('local-b', slowModel('local-b', 2, 5, log));
    const chat = await store.create();
    const { parts } = await runCompare(service({ localNeedBytes: async () => 60, prepareLocal: async (id) => void log.push(`prepare ${id}`) }), chat.id, ['local-a', 'local-b']);
    expect(parts).toContainEqual({ type: 'column-wait', column: 1, wait: 'memory', message: 'Waiting for memory' });
    expect(log).toEqual(['start local-a', 'end local-a', 'start local-b', 'end local-b']);
  });

  test('a waiting column’s own Stop ends it at once; its model is never asked; only the client that started the compare may stop it', async () => {
    const log: string[] = [];
    models.set('local-a', slowModel('local-a', 20, 25, log));
    models.set('local-b', slowModel('local-b', 2, 5, log));
    const chat = await store.create();
    const compare = service();
    const started = await compare.start({ chatId: chat.id, text: 'hi', modelIds: ['local-a', 'local-b'] }, 'client-1');
    const parts: ComparePart[] = [];
    const done = started.run((part) => parts.push(part), new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const ref = { chatId: chat.id, groupId: started.info.groupId, column: 1 };
    expect(compare.stopColumn(ref, 'client-2')).toEqual({ stopped: false });
    expect(compare.stopColumn(ref, 'client-1')).toEqual({ stopped: true });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Column B ended while A still answers.
    expect(parts).toContainEqual({ type: 'column', column: 1, part: { type: 'finish', reason: 'cancelled' } });
    expect(parts.some((p) => p.type === 'column' && p.column === 0 && p.part.type === 'finish')).toBe(false);
    await done;
    expect(log).not.toContain('start local-b');
    const saved = (await store.get(chat.id)).messages.filter((m) => m.compare);
    expect(saved.map((m) => m.status)).toEqual(['complete', 'cancelled']);
  });

  test('a column whose end cannot be saved does not break the others; its end is saved again, no message stays streaming and the chat is unlocked', async () => {
    const chat = await store.create();
    const endMessage = store.endMessage.bind(store);
    let failures = 0;
    store.endMessage = async (chatId, messageId, end) => {
      const target = (await store.get(chatId)).messages.find((m) => m.id === messageId);
      if (target?.modelId === 'local-b' && failures === 0) {
        failures += 1;
        throw new Error('disk full');
      }
      return endMessage(chatId, messageId, end);
    };
    const compare = service();
    await expect(runCompare(compare, chat.id, ['local-a', 'local-b', 'cloud/priced'])).resolves.toBeTruthy();
    const saved = (await store.get(chat.id)).messages.filter((m) => m.compare);
    // The failed save is tried once more when every column has ended: the answer is kept.
    expect(saved.map((m) => m.status)).toEqual(['complete', 'complete', 'complete']);
    expect(saved.map((m) => m.text)).toEqual(['a calm blue sea', 'waves waves', 'the sea is deep']);
    expect(failures).toBe(1);
    await runCompare(compare, chat.id, ['local-a', 'cloud/priced']); // not CONFLICT
  });

  test('votes leave out an Auto column that never decided and a stopped column with no text', async () => {
    models.set('auto', new ScriptedModel('auto', reply('an undecided answer')));
    const log: string[] = [];
    models.set('local-b', slowModel('local-b', 5, 30, log));
    const chat = await store.create();
    const compare = service();
    const started = await compare.start({ chatId: chat.id, text: 'Write a poem about the sea', modelIds: ['local-a', 'auto', 'cloud/priced', 'local-b'] });
    const controller = new AbortController();
    const done = started.run(() => undefined, controller.signal);
    compare.stopColumn({ chatId: chat.id, groupId: started.info.groupId, column: 3 });
    await done;
    await compare.vote({ chatId: chat.id, groupId: started.info.groupId, verdict: 0 });
    expect(recorded.at(-1)!.outcome.outcomes).toEqual({ 'local-a': { score: 1, costUsd: 0 }, 'cloud/priced': { score: 0, costUsd: 0.0012 } });
  });

  test('stats: the input estimate includes the system prompt; a cache hit is saved as cached', async () => {
    models.set('cloud/cached', new ScriptedModel('cloud/cached', [
      { type: 'cache-hit', cachedAt: new Date().toISOString(), savedUsd: 0.01 },
      ...reply('from the cache', { inputTokens: 7, outputTokens: 3, costUsd: 0 }),
    ]));
    const chat = await store.create();
    const systemPrompt = 'You are a careful poet. '.repeat(40);
    await store.updateSettings(chat.id, { systemPrompt });
    const { parts } = await runCompare(service(), chat.id, ['local-a', 'cloud/cached']);
    const expected = requestPromptTokens({ systemPrompt, messages: [{ role: 'user', text: 'Write a poem about the sea' }] });
    expect(finalStats(parts, 0).inputTokens).toBe(expected);
    expect(expected).toBeGreaterThan(100);
    const saved = (await store.get(chat.id)).messages.filter((m) => m.compare);
    expect(saved.map((m) => m.cached ?? false)).toEqual([false, true]);
    expect(finalStats(parts, 1)).toMatchObject({ costUsd: 0, finishReason: 'stop' });
  });
});
