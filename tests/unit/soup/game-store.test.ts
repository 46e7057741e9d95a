import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { GameStore } from '../../../electron/core/soup/game-store';
import type { GameEvent } from '../../../shared/ipc/routes/soup';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const start: GameEvent = { type: 'start', at: '2026-01-01T00:00:00.000Z', puzzleId: 'p', modelId: 'm', questionBudget: 30 };

describe('the game store', () => {
  test('a torn last line (a crash mid-write) is skipped, and the next event is still whole', async () => {
    const root = await temp.make('tandem-soup-store-');
    const store = new GameStore(root);
    await store.init();
    const game = await store.create({ puzzleId: 'p', title: 'P', modelId: 'm' }, start);
    await store.append(game.meta.id, { type: 'ask', at: '2026-01-01T00:00:01.000Z', question: 'q1', answer: 'no' });
    await appendFile(join(root, game.meta.id, 'events.jsonl'), '{"type":"ask","at":"2026-01-01T00:00:02.000Z","quest');
    const torn = await store.get(game.meta.id);
    expect(torn.events.map((e) => e.type)).toEqual(['start', 'ask']);
    expect(torn.skippedLines).toBe(1);
    await store.append(game.meta.id, { type: 'hint', at: '2026-01-01T00:00:03.000Z', index: 0, text: 'h' });
    const after = await store.get(game.meta.id);
    expect(after.events.map((e) => e.type)).toEqual(['start', 'ask', 'hint']);
    expect(after.meta.updatedAt).toBe('2026-01-01T00:00:03.000Z');
    expect((await readFile(join(root, game.meta.id, 'events.jsonl'), 'utf8')).endsWith('\n')).toBe(true);
    expect((await store.list()).map((g) => g.meta.id)).toEqual([game.meta.id]);
  });

  test('an unknown or malformed id is NOT_FOUND', async () => {
    const store = new GameStore(await temp.make('tandem-soup-store-'));
    await store.init();
    await expect(store.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.get('../etc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
