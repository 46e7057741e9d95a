import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { GameViewSchema, PuzzleSummarySchema } from '../../shared/ipc/routes/soup';
import { startFakeOpenAI } from '../fixtures/fake-openai-server';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { FIXTURE_PUZZLES } from '../unit/soup/fixture-puzzles';

/** Turtle Soup through a real core: games saved and resumed, the view hiding the story, puzzles validated, disputes logged. */

const temp = new TempDirs();
const cores: Core[] = [];

beforeAll(() => {
  requireStoriesModel();
});

afterAll(async () => {
  await Promise.all(cores.map((c) => c.dispose()));
  await temp.removeAll();
});

/** A data dir whose user puzzles are the fixtures (the builtin pack may or may not be there). */
async function dataDirWithFixtures(): Promise<string> {
  const dataDir = await temp.make('tandem-soup-');
  await mkdir(join(dataDir, 'soup'), { recursive: true });
  await writeFile(join(dataDir, 'soup', 'puzzles.json'), JSON.stringify(FIXTURE_PUZZLES));
  return dataDir;
}

async function core(dataDir: string): Promise<Core> {
  const c = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  cores.push(c);
  return c;
}

async function closeCore(c: Core): Promise<void> {
  cores.splice(cores.indexOf(c), 1);
  await c.dispose();
}

const puzzle = FIXTURE_PUZZLES[1]!; // the lighthouse: 3 facts, 2 hints

describe('Turtle Soup games', () => {
  test('a game survives a restart mid-play, and its view hides the story until the reveal', async () => {
    const dataDir = await dataDirWithFixtures();
    const first = await core(dataDir);
    const summaries = first.soup.listPuzzles();
    for (const s of summaries) {
      expect(PuzzleSummarySchema.strict().parse(s)).toEqual(s); // no hidden story, facts or answers in a summary
      expect(JSON.stringify(s)).not.toContain('hidden');
    }
    expect(summaries.map((s) => s.id)).toEqual(expect.arrayContaining(FIXTURE_PUZZLES.map((p) => p.id)));

    const started = await first.soup.start({ puzzleId: puzzle.id, modelId: storiesModelId });
    expect(started.status).toBe('playing');
    expect(started.hidden).toBeNull();
    expect(started.facts).toEqual([null, null, null]);
    const asked = await first.soup.ask(started.id, 'Did someone die?');
    expect(['yes', 'no', 'irrelevant', 'yes-and-no']).toContain(asked.answer);
    const again = await first.soup.ask(started.id, 'did   someone die');
    expect(again.answer).toBe(asked.answer); // same question, same answer (memoised)
    const hint = await first.soup.hint(started.id);
    expect(hint.hint).toBe(puzzle.hints[0]);
    const guess = await first.soup.guess(started.id, 'The woman was a lighthouse keeper.');
    expect(guess.facts.find((f) => f.index === 0)?.found).toBe(true);
    expect(guess.solved).toBe(false);
    expect(guess.game.facts[0]).toBe(puzzle.keyFacts[0]); // found facts are shown
    expect(guess.game.facts[1]).toBeNull(); // the others stay hidden
    expect(JSON.stringify(guess.game)).not.toContain(puzzle.hidden);
    await closeCore(first);

    const second = await core(dataDir);
    const games = await second.soup.listGames();
    expect(games).toHaveLength(1);
    expect(games[0]).toMatchObject({ id: started.id, puzzleId: puzzle.id, status: 'playing', questionsAsked: 2 });
    const resumed = await second.soup.get(started.id);
    expect(GameViewSchema.parse(resumed)).toBeTruthy();
    expect(resumed.hintsUsed).toBe(1);
    expect(resumed.factsFoundAt[0]).not.toBeNull();
    expect((await second.soup.hint(started.id)).hint).toBe(puzzle.hints[1]);
    await expect(second.soup.hint(started.id)).rejects.toMatchObject({ code: 'CONFLICT' });

    const revealed = await second.soup.reveal(started.id);
    expect(revealed.status).toBe('gave-up');
    expect(revealed.hidden).toBe(puzzle.hidden);
    expect(revealed.facts).toEqual(puzzle.keyFacts);
    expect(revealed.factsFoundAt[0]).toBe(guess.game.factsFoundAt[0]);
    await expect(second.soup.ask(started.id, 'Was a ship involved?')).rejects.toMatchObject({ code: 'CONFLICT' });
  }, 60_000);

  test('covering the facts over several guesses solves; a dispute counts a fact and is logged as an outcome', async () => {
    const c = await core(await dataDirWithFixtures());
    const game = await c.soup.start({ puzzleId: 'test-elevator', modelId: storiesModelId, questionBudget: 5 });
    const one = await c.soup.guess(game.id, 'The man is very short.');
    expect(one.game.factsFoundAt.filter(Boolean)).toHaveLength(1);
    const unrelated = await c.soup.guess(game.id, 'A dragon baked a cake for the queen.');
    expect(unrelated.facts.every((f) => !f.found)).toBe(true);
    const disputed = await c.soup.dispute(game.id, 1, 1);
    expect(disputed.factsFoundAt[1]).not.toBeNull();
    expect(disputed.events.at(-1)).toMatchObject({ type: 'dispute', guess: 1, index: 1 });
    const outcome = c.routing.outcomes.all().at(-1);
    expect(outcome).toMatchObject({ source: 'judge', outcomes: { [storiesModelId]: { score: 0 } } });
    expect(outcome?.prompt).toContain('Turtle Soup judge: fact "He cannot reach the elevator button for the tenth floor" vs guess "A dragon baked');
    const last = await c.soup.guess(game.id, 'On rainy days he presses the button with his umbrella.');
    expect(last.solved).toBe(true);
    expect(last.game.status).toBe('solved');
    expect(last.game.hidden).not.toBeNull();
    expect((await c.soup.listGames())[0]?.status).toBe('solved');
  }, 60_000);

  test('"Surprise me" picks a puzzle not played yet; a question budget ends the game', async () => {
    const c = await core(await dataDirWithFixtures());
    const ids = new Set<string>();
    for (let i = 0; i < FIXTURE_PUZZLES.length; i++) {
      const g = await c.soup.start({ modelId: storiesModelId, questionBudget: 1 });
      ids.add(g.puzzleId);
      if (i === 0) {
        const r = await c.soup.ask(g.id, 'Is it raining?');
        expect(r.game.status).toBe('out-of-questions');
        expect(r.game.hidden).not.toBeNull();
        await expect(c.soup.ask(g.id, 'One more?')).rejects.toMatchObject({ code: 'CONFLICT' });
      }
    }
    const userIds = new Set(FIXTURE_PUZZLES.map((p) => p.id));
    // With the builtin pack present, unplayed builtins come too; without it, every fixture once.
    if (c.soup.listPuzzles().length === FIXTURE_PUZZLES.length) expect(ids).toEqual(userIds);
    else expect(ids.size).toBe(FIXTURE_PUZZLES.length);
  }, 60_000);

  test('user puzzles: validated with the field named, an id taken is refused, import reports bad ones by index', async () => {
    const c = await core(await dataDirWithFixtures());
    const fresh = { ...FIXTURE_PUZZLES[0]!, id: 'my-own', title: 'My own' };
    const added = await c.soup.addPuzzle(fresh);
    expect(added).toMatchObject({ id: 'my-own', source: 'user', keyFactCount: 4 });
    await expect(c.soup.addPuzzle(fresh)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('my-own') });
    await expect(c.soup.addPuzzle({ ...fresh, id: 'another', keyFacts: ['only one fact'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('keyFacts'),
    });
    const result = await c.soup.importPuzzles(JSON.stringify([{ ...fresh, id: 'imported-1' }, { ...fresh, id: 'Bad Id' }, { ...fresh, id: 'imported-2', questions: [] }]));
    expect(result.added.map((a) => a.id)).toEqual(['imported-1']);
    expect(result.errors.map((e) => e.index)).toEqual([1, 2]);
    expect(result.errors[0]!.message).toContain('id');
    expect(result.errors[1]!.message).toContain('questions');
    await expect(c.soup.importPuzzles('{nope')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(c.soup.start({ puzzleId: 'my-own', modelId: 'no-such-model' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(c.soup.start({ puzzleId: 'no-such-puzzle', modelId: storiesModelId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('a cloud host gets the same JSON schema; a reply that is not one of the four is asked again once, then refused (BAD_RESPONSE)', async () => {
    const server = await startFakeOpenAI({ apiKey: 'sk-soup-0123456789' });
    try {
      server.script('second-try', (_body, n) => ({ text: n === 1 ? 'Yes, because the ship hit the rocks!' : '{"answer": "no"}' }));
      server.script('chatty', () => ({ text: 'Well, she was a lighthouse keeper, you see.' }));
      process.env.SOUP_FAKE_KEY = 'sk-soup-0123456789';
      const c = await core(await dataDirWithFixtures());
      await c.providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKeyEnv: 'SOUP_FAKE_KEY' });
      const game = await c.soup.start({ puzzleId: puzzle.id, modelId: 'fake/second-try' });
      const asked = await c.soup.ask(game.id, 'Was a ship involved?');
      expect(asked.answer).toBe('no');
      expect(server.count('second-try')).toBe(2);
      const body = server.bodies.at(-1) as { response_format?: { type: string; json_schema?: { schema?: unknown } }; temperature?: number };
      expect(body.response_format?.type).toBe('json_schema');
      expect(JSON.stringify(body.response_format)).toContain('"enum":["yes","no","irrelevant","yes-and-no"]');
      expect(body.temperature).toBe(0);

      const chatty = await c.soup.start({ puzzleId: puzzle.id, modelId: 'fake/chatty' });
      await expect(c.soup.ask(chatty.id, 'Was a ship involved?')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
      expect(server.count('chatty')).toBe(2);
      const after = await c.soup.get(chatty.id);
      expect(after.questionsAsked).toBe(0); // a refused answer is not logged and does not cost a question
      expect(JSON.stringify(after)).not.toContain('lighthouse keeper');
    } finally {
      delete process.env.SOUP_FAKE_KEY;
      await server.close();
    }
  }, 60_000);
});
