import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { ChatMessage } from '../../shared/ipc/domain';
import type { AnswerStats, ComparePart } from '../../shared/ipc/routes/compare';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import type { ServerMessage } from '../../shared/ipc/wire';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyBertGguf, writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/**
 * Compare through the contract on a real core: two real local models
 * (stories260K and a tiny random llama) and the fake cloud, side by side.
 */

const KEY = 'sk-compare-test-0123456789abcdef';
const TINY = 'tiny-llama';
const CLOUD = 'cloud/gpt-test';
const SLOW = 'cloud/slow-test';
const temp = new TempDirs();
let server: FakeOpenAIServer;
let core: Core;
let client: HookedClient;
let unique = 0;
let root = '';

/** A client that can act the moment a message arrives (as a user pressing Stop on the first token). */
class HookedClient extends CollectingClient {
  onMessage: ((message: ServerMessage) => void) | null = null;
  override send(message: ServerMessage): void {
    super.send(message);
    this.onMessage?.(message);
  }
}

/** A prompt never asked before: the response cache must not answer it. */
function prompt(what: string): string {
  unique += 1;
  return `Once upon a time ${what} number ${unique} ${Date.now().toString(36)}`;
}

interface ColumnView {
  parts: StreamPart[];
  text: string;
  stats: AnswerStats[];
  waits: Extract<ComparePart, { type: 'column-wait' }>[];
  /** Positions of this column's parts in the whole stream. */
  firstTextAt: number;
  endAt: number;
}

function columns(streamId: string, count: number): { all: ComparePart[]; columns: ColumnView[] } {
  const all = client.stream(streamId).parts as unknown as ComparePart[];
  return {
    all,
    columns: Array.from({ length: count }, (_, column) => {
      const parts = all.flatMap((p) => (p.type === 'column' && p.column === column ? [p.part] : []));
      return {
        parts,
        text: parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join(''),
        stats: all.flatMap((p) => (p.type === 'column-stats' && p.column === column ? [p.stats] : [])),
        waits: all.filter((p): p is Extract<ComparePart, { type: 'column-wait' }> => p.type === 'column-wait' && p.column === column),
        firstTextAt: all.findIndex((p) => p.type === 'column' && p.column === column && p.part.type === 'text-delta'),
        endAt: all.findIndex((p) => p.type === 'column' && p.column === column && (p.part.type === 'finish' || p.part.type === 'error')),
      };
    }),
  };
}

async function savedColumns(chatId: string, groupId: string): Promise<ChatMessage[]> {
  const chat = await client.call('chats.get', { chatId });
  return chat.messages.filter((m) => m.compare?.groupId === groupId).sort((a, b) => a.compare!.column - b.compare!.column);
}

async function newChat(settings: Record<string, unknown> = {}) {
  const chat = await client.call('chats.create', {});
  await client.call('chats.updateSettings', { chatId: chat.id, settings: { maxTokens: 48, ...settings } });
  return chat;
}

/** A memory budget that holds either local model but not both: local columns must take turns. */
async function forceSequentialLocal(): Promise<void> {
  const { needs } = await core.compare.memoryPlan([storiesModelId, TINY]);
  const sizes = [...needs.values()];
  expect(sizes).toHaveLength(2);
  await client.call('settings.update', { modelMemoryBudget: Math.max(...sizes) + Math.floor(Math.min(...sizes) / 2) });
  expect((await core.compare.memoryPlan([storiesModelId, TINY])).fits).toBe(false);
}

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({ apiKey: KEY });
  root = await temp.make('tandem-compare-');
  const tinyDir = join(root, 'models');
  const dataDir = join(root, 'data');
  await mkdir(tinyDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await writeTinyLlamaGguf(join(tinyDir, `${TINY}.gguf`), { seed: 7 });
  await writeTinyBertGguf(join(tinyDir, 'tiny-bert.gguf')); // the embedding model, for collections
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { [CLOUD]: { input: 5, output: 15 } } }));
  core = await createCore({
    dataDir,
    modelsDirs: [sharedModelsDir, tinyDir],
    mode: 'serve',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
    providerRetry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  client = new HookedClient(core.rpc);
  await client.call('providers.add', { name: 'cloud', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

describe('compare: answers side by side', () => {
  test('the fake cloud streams beside two local models that take turns, each with live stats; one column stops alone; the chat is locked meanwhile', async () => {
    const chat = await newChat();
    const modelIds = [storiesModelId, TINY, SLOW];
    const started = await client.call('compare.send', { chatId: chat.id, text: prompt('a fox'), modelIds });
    const { groupId, columns: info } = started.info;
    expect(info.map((c) => [c.column, c.label, c.modelId])).toEqual([
      [0, 'A', storiesModelId],
      [1, 'B', TINY],
      [2, 'C', SLOW],
    ]);

    // While the compare runs, neither a chat answer nor another compare may start in this chat.
    await waitUntil(() => columns(started.streamId, 3).columns[2]!.text.length > 0, 'the cloud column to stream', 10_000);
    expect(await client.request('chat.send', { chatId: chat.id, text: 'hi', modelId: storiesModelId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await client.request('compare.send', { chatId: chat.id, text: 'hi', modelIds })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // The local columns finish while the slow cloud column is still streaming; then the user stops that one column.
    await waitUntil(() => columns(started.streamId, 3).columns.slice(0, 2).every((c) => c.endAt >= 0), 'the local columns to finish', 20_000);
    expect(columns(started.streamId, 3).columns[2]!.endAt).toBe(-1);
    expect(await client.call('compare.stopColumn', { chatId: chat.id, groupId, column: 2 })).toEqual({ stopped: true });
    const view = await client.waitForEnd(started.streamId, 10_000);
    expect(view.end?.status).toBe('completed');
    expect(await client.call('compare.stopColumn', { chatId: chat.id, groupId, column: 2 })).toEqual({ stopped: false });

    const { columns: cols } = columns(started.streamId, 3);
    // In parallel: the cloud column's text came before the local columns were done.
    expect(cols[2]!.firstTextAt).toBeLessThan(Math.max(cols[0]!.endAt, cols[1]!.endAt));
    // The local runtime answers one at a time: the second local column waits for its turn (its model loaded ahead), so its
    // time to first token is its own, not the first column's whole answer.
    expect(cols[1]!.firstTextAt).toBeGreaterThanOrEqual(cols[0]!.endAt);
    for (const [index, col] of cols.entries()) {
      expect(col.text.length, `column ${index} text`).toBeGreaterThan(0);
      expect(col.waits).toEqual(
        index === 1
          ? [
              { type: 'column-wait', column: 1, wait: 'queue', message: 'Waiting for its turn on this computer' },
              { type: 'column-wait', column: 1, wait: null, message: '' },
            ]
          : [],
      );
      const final = col.stats.at(-1)!;
      expect(final.ttftMs, `column ${index} ttft`).toEqual(expect.any(Number));
      expect(final.outputTokens).toBeGreaterThan(0);
      expect(final.inputTokens).toBeGreaterThan(0);
      expect(final.durationMs).toBeGreaterThanOrEqual(final.ttftMs!);
      expect(final.finishReason).toBe(index === 2 ? 'cancelled' : 'length');
    }
    expect(cols[0]!.parts.at(-1)).toEqual({ type: 'finish', reason: 'length' });
    expect(cols[2]!.parts.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
    expect(cols[0]!.stats.at(-1)!.costUsd).toBe(0);
    expect(cols[0]!.stats.at(-1)!.tokensPerSecond).toBeGreaterThan(0);
    // Several live updates for the slow column while it streamed (it ran for a few hundred ms at least).
    expect(cols[2]!.stats.length).toBeGreaterThanOrEqual(2);
    expect(cols[2]!.stats[0]!.finishReason).toBeNull();
    expect(cols[2]!.text).toMatch(/^w0 w1 /);

    const saved = await savedColumns(chat.id, groupId);
    expect(saved.map((m) => [m.status, m.modelId, m.compare!.label, m.compare!.blind])).toEqual([
      ['complete', storiesModelId, 'A', false],
      ['complete', TINY, 'B', false],
      ['cancelled', SLOW, 'C', false],
    ]);
    saved.forEach((m, i) => {
      expect(m.text).toBe(cols[i]!.text);
      expect(m.compare!.stats).toEqual(cols[i]!.stats.at(-1));
    });
    const summary = (await client.call('chats.get', { chatId: chat.id }));
    expect(summary.messages[0]).toMatchObject({ role: 'user', status: 'complete' });
    expect(summary.settings?.compare).toEqual({ modelIds, blind: false });
    expect(summary.settings?.maxTokens).toBe(48); // other settings kept
    expect(summary.modelId).toBeNull(); // a compare does not pick the chat's model

    // The lock is released: the chat goes on.
    const next = await client.call('chat.send', { chatId: chat.id, text: prompt('then'), modelId: storiesModelId });
    expect((await client.waitForEnd(next.streamId)).end?.status).toBe('completed');
  });

  test('local models that cannot share memory run one after another and say so; the cloud column does not wait', async () => {
    await forceSequentialLocal();
    try {
      const chat = await newChat();
      const started = await client.call('compare.send', { chatId: chat.id, text: prompt('a cat'), modelIds: [storiesModelId, TINY, CLOUD] });
      const view = await client.waitForEnd(started.streamId, 20_000);
      expect(view.end?.status).toBe('completed');
      const { all, columns: cols } = columns(started.streamId, 3);
      expect(cols[0]!.waits).toEqual([]);
      expect(cols[2]!.waits).toEqual([]);
      expect(cols[1]!.waits).toEqual([
        { type: 'column-wait', column: 1, wait: 'memory', message: 'Waiting for memory' },
        { type: 'column-wait', column: 1, wait: null, message: '' },
      ]);
      const waitAt = all.findIndex((p) => p.type === 'column-wait' && p.wait === 'memory');
      const startAt = all.findIndex((p) => p.type === 'column-wait' && p.wait === null);
      expect(waitAt).toBeLessThan(all.findIndex((p) => 'column' in p && p.column === 1 && p.type !== 'column-wait'));
      // The second local model starts only after the first one is done.
      expect(startAt).toBeGreaterThan(cols[0]!.endAt);
      expect(cols[1]!.firstTextAt).toBeGreaterThan(cols[0]!.endAt);
      expect(cols[2]!.text).toBe(FAKE_REPLY.join(''));
      const cloud = cols[2]!.stats.at(-1)!;
      expect(cloud.costUsd).toBeGreaterThan(0);
      expect(cloud.finishReason).toBe('stop');
      expect(cols.every((c) => c.text.length > 0)).toBe(true);
      expect((await savedColumns(chat.id, started.info.groupId)).map((m) => m.status)).toEqual(['complete', 'complete', 'complete']);
    } finally {
      await client.call('settings.update', { modelMemoryBudget: 'auto' });
    }
  });

  test('Stop stops every column: the running ones, and the one waiting for memory; each is saved as cancelled', async () => {
    await forceSequentialLocal();
    try {
      const chat = await newChat({ maxTokens: 480 });
      let streamId = '';
      // The user presses Stop the moment the first local token shows.
      client.onMessage = (message) => {
        if (message.type !== 'stream' || message.kind !== 'part' || message.streamId !== streamId) return;
        const part = message.part as ComparePart;
        if (part.type === 'column' && part.column === 0 && part.part.type === 'text-delta') {
          client.onMessage = null;
          void client.request('stream.cancel', { streamId });
        }
      };
      const t0 = performance.now();
      const started = await client.call('compare.send', { chatId: chat.id, text: prompt('a stop'), modelIds: [storiesModelId, TINY, SLOW] });
      streamId = started.streamId;
      const view = await client.waitForEnd(started.streamId, 10_000);
      expect(view.end?.status).toBe('cancelled');
      expect(performance.now() - t0).toBeLessThan(5_000); // the slow cloud column alone would take 10 s
      const saved = await savedColumns(chat.id, started.info.groupId);
      expect(saved.map((m) => [m.status, m.finishReason])).toEqual([
        ['cancelled', 'cancelled'],
        ['cancelled', 'cancelled'],
        ['cancelled', 'cancelled'],
      ]);
      expect(saved[0]!.text.length).toBeGreaterThan(0); // what was shown stays
      expect(saved[1]!.text).toBe(''); // it never got its turn
      for (const m of saved) expect(m.compare!.stats!.finishReason).toBe('cancelled');
      // Not locked afterwards.
      const next = await client.call('compare.send', { chatId: chat.id, text: prompt('again'), modelIds: [storiesModelId, CLOUD] });
      expect((await client.waitForEnd(next.streamId)).end?.status).toBe('completed');
    } finally {
      client.onMessage = null;
      await client.call('settings.update', { modelMemoryBudget: 'auto' });
    }
  });

  test('a failing model is its column’s coded error; the others complete', async () => {
    const chat = await newChat();
    const started = await client.call('compare.send', { chatId: chat.id, text: prompt('a fault'), modelIds: [storiesModelId, 'cloud/fault-500', CLOUD] });
    const view = await client.waitForEnd(started.streamId, 20_000);
    expect(view.end?.status).toBe('completed');
    const { columns: cols } = columns(started.streamId, 3);
    expect(cols[1]!.parts.at(-1)).toMatchObject({ type: 'error', code: 'SERVER' });
    expect(cols[0]!.parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(cols[2]!.text).toBe(FAKE_REPLY.join(''));
    const saved = await savedColumns(chat.id, started.info.groupId);
    expect(saved.map((m) => m.status)).toEqual(['complete', 'error', 'complete']);
    expect(saved[1]!.error).toMatchObject({ code: 'SERVER' });
    expect(saved[1]!.compare!.stats).toBeDefined();
    // A failed column cannot win.
    expect(await client.request('compare.vote', { chatId: chat.id, groupId: started.info.groupId, verdict: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  test('a private chat: the cloud column is refused with LOCAL_ONLY and says why; nothing reaches the cloud; the local column answers', async () => {
    const chat = await newChat({ private: true });
    const before = server.bodies.length;
    const text = prompt('a secret');
    const started = await client.call('compare.send', { chatId: chat.id, text, modelIds: [storiesModelId, CLOUD] });
    await client.waitForEnd(started.streamId, 20_000);
    const { columns: cols } = columns(started.streamId, 2);
    expect(cols[1]!.parts).toEqual([{ type: 'error', code: 'LOCAL_ONLY', message: expect.stringMatching(/private/i), retryable: false }]);
    expect(cols[0]!.text.length).toBeGreaterThan(0);
    expect(server.bodies.length).toBe(before);
    expect(JSON.stringify(server.bodies)).not.toContain(text);
    const saved = await savedColumns(chat.id, started.info.groupId);
    expect(saved.map((m) => [m.status, m.error?.code ?? null])).toEqual([
      ['complete', null],
      ['error', 'LOCAL_ONLY'],
    ]);

    // Only cloud models: nothing can answer, so the compare is refused and nothing is saved.
    const count = (await client.call('chats.get', { chatId: chat.id })).messages.length;
    const refused = await client.request('compare.send', { chatId: chat.id, text: prompt('only cloud'), modelIds: [CLOUD, SLOW] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'LOCAL_ONLY', message: expect.stringMatching(/private/i) } });
    expect((await client.call('chats.get', { chatId: chat.id })).messages).toHaveLength(count);
    expect(server.bodies.length).toBe(before);
  });

  test('blind mode: the models are spread over labelled columns and remembered as blind', async () => {
    const chat = await newChat();
    const modelIds = [storiesModelId, TINY, CLOUD];
    const started = await client.call('compare.send', { chatId: chat.id, text: prompt('blind'), modelIds, blind: true });
    await client.waitForEnd(started.streamId, 20_000);
    expect(started.info.columns.map((c) => c.label)).toEqual(['A', 'B', 'C']);
    expect(started.info.columns.map((c) => c.modelId).sort()).toEqual([...modelIds].sort());
    const saved = await savedColumns(chat.id, started.info.groupId);
    expect(saved.every((m) => m.compare!.blind)).toBe(true);
    expect((await client.call('chats.get', { chatId: chat.id })).settings?.compare).toEqual({ modelIds, blind: true });
  });
});

describe('votes, "Continue with this answer" and the leaderboard', () => {
  test('a vote becomes an outcome the router reads back; a later vote replaces it; the chosen answer is the only one the next turn sees', async () => {
    const chat = await newChat();
    const text = prompt('a wolf and a bear');
    const started = await client.call('compare.send', { chatId: chat.id, text, modelIds: [storiesModelId, TINY, CLOUD] });
    expect((await client.waitForEnd(started.streamId, 20_000)).end?.status).toBe('completed');
    const { groupId } = started.info;
    const key = `compare:${chat.id}:${groupId}`;

    const before = core.routing.outcomes.quality.predict(text);
    expect(await client.call('compare.vote', { chatId: chat.id, groupId, verdict: 2 })).toEqual({ verdict: 2 });
    const record = core.routing.outcomes.all().find((r) => r.key === key);
    expect(record).toMatchObject({
      source: 'compare',
      prompt: text,
      task: 'other',
      outcomes: { [storiesModelId]: { score: 0 }, [TINY]: { score: 0 }, [CLOUD]: { score: 1, costUsd: expect.any(Number) } },
    });
    // The router reads it back: for this prompt the cloud model is now predicted above the local ones, with samples behind it.
    const after = core.routing.outcomes.quality.predict(text);
    expect(after.get(CLOUD)!.samples).toBeGreaterThan(before.get(CLOUD)?.samples ?? 0);
    expect(after.get(CLOUD)!.quality).toBeGreaterThan(after.get(storiesModelId)!.quality);
    const decision = await client.call('route.decide', { text });
    expect(decision.candidates.find((c) => c.modelId === CLOUD)!.qualitySamples).toBeGreaterThan(0);
    expect((await savedColumns(chat.id, groupId)).map((m) => m.compare!.verdict)).toEqual([2, 2, 2]);

    const board = await client.call('compare.leaderboard', {});
    expect(board.rows[0]!.modelId).toBe(CLOUD);
    expect(board.rows[0]).toMatchObject({ wins: 2, losses: 0, ties: 0 });
    expect(board.comparisons).toBe(3);
    expect(board.byTag.other).toBe(3);
    expect((await client.call('compare.leaderboard', { tag: 'code' })).rows).toEqual([]);

    // Changed mind: a tie replaces the vote (one record for the key, 0.5 each).
    await client.call('compare.vote', { chatId: chat.id, groupId, verdict: 'tie' });
    const records = core.routing.outcomes.all().filter((r) => r.key === key);
    expect(records).toHaveLength(1);
    expect(Object.values(records[0]!.outcomes).map((o) => o.score)).toEqual([0.5, 0.5, 0.5]);
    expect((await client.call('compare.leaderboard', {})).rows.every((r) => r.ties === 2 && r.wins === 0)).toBe(true);

    // "Continue with this answer" on the tiny model's column.
    const saved = await savedColumns(chat.id, groupId);
    expect(await client.call('compare.choose', { chatId: chat.id, groupId, column: 1 })).toEqual({ modelId: TINY });
    const chosen = await savedColumns(chat.id, groupId);
    expect(chosen.map((m) => m.compare!.chosen ?? false)).toEqual([false, true, false]);
    expect((await client.call('chats.get', { chatId: chat.id })).modelId).toBe(TINY);

    // The next turn's history holds the prompt and only the chosen answer.
    const bodies = server.bodies.length;
    const next = await client.call('chat.send', { chatId: chat.id, text: prompt('and then'), modelId: CLOUD });
    expect((await client.waitForEnd(next.streamId)).end?.status).toBe('completed');
    const sent = server.bodies.slice(bodies).at(-1) as { messages: { role: string; content: unknown }[] };
    const history = sent.messages.filter((m) => m.role !== 'system');
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(history[0]!.content).toBe(text);
    expect(history[1]!.content).toBe(saved[1]!.text);
  });

  test('an Auto column: its route is saved, and a vote credits the model that answered, never "auto"', async () => {
    const chat = await newChat();
    const text = prompt('an owl');
    const started = await client.call('compare.send', { chatId: chat.id, text, modelIds: ['auto', TINY] });
    expect((await client.waitForEnd(started.streamId, 20_000)).end?.status).toBe('completed');
    const { columns: cols } = columns(started.streamId, 2);
    const route = cols[0]!.parts.find((p) => p.type === 'route');
    expect(route).toBeDefined();
    const chosen = route?.type === 'route' ? route.decision.chosenModelId : null;
    expect(chosen).toEqual(expect.any(String));
    const saved = await savedColumns(chat.id, started.info.groupId);
    expect(saved[0]!.route?.chosenModelId).toBe(chosen);
    expect(saved[0]!.modelId).toBe('auto');
    // Cost follows the model that answered: nothing for a local pick, the price for the cloud one.
    expect(saved[0]!.compare!.stats!.costUsd === 0).toBe(chosen !== CLOUD);

    await client.call('compare.vote', { chatId: chat.id, groupId: started.info.groupId, verdict: 0 });
    const record = core.routing.outcomes.all().find((r) => r.key === `compare:${chat.id}:${started.info.groupId}`)!;
    expect(Object.keys(record.outcomes)).not.toContain('auto');
    expect(record.outcomes[chosen!]).toMatchObject({ score: 1 });
    expect(await client.call('compare.choose', { chatId: chat.id, groupId: started.info.groupId, column: 0 })).toEqual({ modelId: 'auto' });
  });

  test('votes on a missing compare or column are refused', async () => {
    const chat = await newChat();
    expect(await client.request('compare.vote', { chatId: chat.id, groupId: 'nope', verdict: 0 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await client.request('compare.choose', { chatId: chat.id, groupId: 'nope', column: 0 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('compare in a chat with collections', () => {
  test('every column answers from the retrieved sources; with a local-only collection the cloud column gets nothing and says why', async () => {
    const open = join(root, 'open-docs');
    const secret = join(root, 'secret-docs');
    await mkdir(open);
    await mkdir(secret);
    await writeFile(join(open, 'dragons.md'), '# Dragons\n\nThe dragon Ember lived in a cave by the sea.\n');
    await writeFile(join(secret, 'vault.md'), '# Vault\n\nThe vault code is zebra-quartz-1187.\n');
    const shared = await client.call('collections.add', { name: 'open', paths: [open] });
    const local = await client.call('collections.add', { name: 'secret', paths: [secret], localOnly: true });
    await core.documents.waitForIdle(shared.id);
    await core.documents.waitForIdle(local.id);

    const chat = await newChat({ collectionIds: [shared.id] });
    const before = server.bodies.length;
    const started = await client.call('compare.send', { chatId: chat.id, text: prompt('where did the dragon Ember live?'), modelIds: [storiesModelId, CLOUD] });
    expect((await client.waitForEnd(started.streamId, 20_000)).end?.status).toBe('completed');
    const { columns: cols } = columns(started.streamId, 2);
    for (const col of cols) {
      expect(col.parts[0]).toMatchObject({ type: 'citations', citations: [expect.objectContaining({ n: 1, collectionId: shared.id })] });
      expect(col.text.length).toBeGreaterThan(0);
    }
    expect(JSON.stringify(server.bodies.slice(before))).toContain('Ember lived in a cave');
    const saved = await savedColumns(chat.id, started.info.groupId);
    expect(saved.every((m) => m.citations?.[0]?.collectionId === shared.id)).toBe(true);

    const privateChat = await newChat({ collectionIds: [local.id] });
    const sent = server.bodies.length;
    const guarded = await client.call('compare.send', { chatId: privateChat.id, text: prompt('what is the vault code?'), modelIds: [storiesModelId, CLOUD] });
    await client.waitForEnd(guarded.streamId, 20_000);
    const { columns: guardedCols } = columns(guarded.streamId, 2);
    expect(guardedCols[0]!.parts[0]).toMatchObject({ type: 'citations' });
    expect(guardedCols[1]!.parts).toEqual([{ type: 'error', code: 'LOCAL_ONLY', message: expect.stringMatching(/local-only/i), retryable: false }]);
    expect(server.bodies.length).toBe(sent);
    expect(JSON.stringify(server.bodies)).not.toContain('zebra-quartz');
  });
});
