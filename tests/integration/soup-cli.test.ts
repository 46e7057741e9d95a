import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore } from '../../electron/core/app/create-core';
import { LabTaskSchema } from '../../shared/ipc/routes/lab';
import { SOUP_ANSWERS } from '../../shared/ipc/routes/soup';
import { repoRoot, requireStoriesModel, sharedModelsDir, storiesModelId, tandemBin } from '../support/paths';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { FIXTURE_PUZZLES } from '../unit/soup/fixture-puzzles';

/** `tandem soup …` as a person runs it, and a game that survives kill -9. */

const temp = new TempDirs();
const running: TandemProcess[] = [];

beforeAll(() => {
  requireStoriesModel();
});

afterAll(async () => {
  for (const p of running) if (p.running) p.child.kill('SIGKILL');
  await temp.removeAll();
});

async function dataDirWithFixtures(): Promise<string> {
  const dataDir = await temp.make('tandem-soup-cli-');
  await mkdir(join(dataDir, 'soup'), { recursive: true });
  await writeFile(join(dataDir, 'soup', 'puzzles.json'), JSON.stringify(FIXTURE_PUZZLES));
  return dataDir;
}

/** `tandem` with a piped stdin (for `soup play`). */
function start(args: string[], stdin: 'pipe' | 'ignore' = 'ignore'): TandemProcess {
  const child = spawn(process.execPath, [tandemBin, ...args], { cwd: repoRoot, env: { ...process.env, TANDEM_LOG_LEVEL: 'warn' }, stdio: [stdin, 'pipe', 'pipe'] });
  const p = new TandemProcess(child);
  running.push(p);
  return p;
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = start(args);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

describe('tandem soup', () => {
  test('list, ask --json and guess --json', async () => {
    const dataDir = await dataDirWithFixtures();
    const global = ['--data-dir', dataDir, '--models-dir', sharedModelsDir];
    const list = await run([...global, 'soup', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^test-lighthouse\s+easy\s+The dark lighthouse$/m);

    const ask = await run([...global, 'soup', 'ask', 'test-lighthouse', 'Was a ship involved?', '--model', storiesModelId, '--json']);
    expect(ask.stderr).toBe('');
    expect(ask.code).toBe(0);
    const answer = JSON.parse(ask.stdout) as { answer: string };
    expect(Object.keys(answer)).toEqual(['answer']);
    expect(SOUP_ANSWERS).toContain(answer.answer);

    const guess = await run([...global, 'soup', 'guess', 'test-lighthouse', 'The woman was a lighthouse keeper who switched off the lighthouse lamp.', '--model', storiesModelId, '--json']);
    expect(guess.code).toBe(0);
    expect(JSON.parse(guess.stdout)).toEqual({
      solved: false,
      facts: [
        { fact: 'The woman was a lighthouse keeper', found: true },
        { fact: 'She switched off the lighthouse lamp', found: true },
        { fact: 'A ship crashed into the rocks in the dark', found: false },
      ],
    });

    const missing = await run([...global, 'soup', 'ask', 'no-such-puzzle', 'Why?', '--model', storiesModelId, '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
    const noModel = await run([...global, 'soup', 'ask', 'test-lighthouse', 'Why?']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('--model');
  }, 120_000);

  test('play through a pipe: a question, a hint, a guess and the reveal; the game is saved', async () => {
    const dataDir = await dataDirWithFixtures();
    const p = start(['--data-dir', dataDir, '--models-dir', sharedModelsDir, 'soup', 'play', 'test-elevator', '--model', storiesModelId], 'pipe');
    p.child.stdin!.end('Is he short?\nhint\nguess The man is very short.\nreveal\n');
    const { code } = await p.exited;
    const out = p.stdout();
    expect(code).toBe(0);
    expect(out).toContain('Tenth floor');
    expect(out).toMatch(/^(Yes|No|Irrelevant|Yes and no) {2}\(1\/30\)$/m);
    expect(out).toContain('Hint 1 of 3: It has to do with his body.');
    expect(out).toContain('1 of 3 key facts found');
    expect(out).toContain('The story: The man is very short');
    expect(out).toMatch(/Game saved: \S+ \(gave-up\)/);
  }, 120_000);

  test('a game survives kill -9 in the middle of play', async () => {
    const dataDir = await dataDirWithFixtures();
    const p = start(['--data-dir', dataDir, '--models-dir', sharedModelsDir, 'soup', 'play', 'test-albatross', '--model', storiesModelId], 'pipe');
    p.child.stdin!.write('Was he ever shipwrecked?\n');
    const [, gameId] = (await p.waitForStdout(/game ([0-9a-f-]{36})\)/)) as unknown as [string, string];
    await p.waitForStdout(/\(1\/30\)/);
    p.child.kill('SIGKILL');
    expect((await p.exited).signal).toBe('SIGKILL');

    const core = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
    try {
      const games = await core.soup.listGames();
      expect(games).toEqual([expect.objectContaining({ id: gameId, puzzleId: 'test-albatross', status: 'playing', questionsAsked: 1 })]);
      const game = await core.soup.get(gameId);
      expect(game.events.filter((e) => e.type === 'ask').map((e) => (e as { question: string }).question)).toEqual(['Was he ever shipwrecked?']);
      const next = await core.soup.ask(gameId, 'Did someone he loved die?');
      expect(next.game.questionsAsked).toBe(2);
    } finally {
      await core.dispose();
    }
  }, 120_000);

  test('eval --export writes the labelled questions as a lab task set', async () => {
    const dataDir = await dataDirWithFixtures();
    const file = join(dataDir, 'soup-tasks.jsonl');
    const result = await run(['--data-dir', dataDir, 'soup', 'eval', '--export', file]);
    expect(result.code).toBe(0);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').filter(Boolean);
    for (const line of lines) {
      const task = LabTaskSchema.parse(JSON.parse(line));
      expect(task.grader).toEqual({ type: 'exact' });
      expect(SOUP_ANSWERS).toContain(task.reference);
      expect(task.systemPrompt).toContain('Secret story:');
    }
    expect(result.stderr).toContain(`Wrote ${lines.length} tasks`);
  }, 60_000);
});
