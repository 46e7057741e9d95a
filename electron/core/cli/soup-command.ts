import { createInterface } from 'node:readline';
import { writeFile } from 'node:fs/promises';
import { toTandemError } from '../../../shared/ipc/errors';
import type { GameView } from '../../../shared/ipc/routes/soup';
import type { Core } from '../app/create-core';
import { soupLabTasks, summarizeEval, type SoupEvalRow } from '../soup/soup-eval';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface SoupCommandOptions {
  model?: string;
  json: boolean;
  export?: string;
}

const USAGE = `Usage:
  tandem soup list [--json]
  tandem soup ask PUZZLE "question" --model M [--json]
  tandem soup guess PUZZLE "text" --model M [--json]
  tandem soup play [PUZZLE] [--model M]
  tandem soup eval --model M [--json]
  tandem soup eval --export FILE.jsonl`;

function usage(problem: string): number {
  process.stderr.write(`tandem soup: ${problem}\n${USAGE}\n`);
  return 2;
}

/** `tandem soup …`: Turtle Soup from the terminal. */
export async function runSoup(global: GlobalOptions, args: string[], options: SoupCommandOptions): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      if (rest.length > 0) return usage('list takes no arguments');
      return withCliCore(global, 'soup list', async (core) => {
        const puzzles = core.soup.listPuzzles();
        if (options.json) process.stdout.write(`${JSON.stringify(puzzles, null, 2)}\n`);
        else if (puzzles.length === 0) process.stdout.write('No puzzles.\n');
        else {
          const width = Math.max(...puzzles.map((p) => p.id.length));
          for (const p of puzzles) process.stdout.write(`${p.id.padEnd(width)}  ${p.difficulty.padEnd(6)}  ${p.title}\n`);
        }
        return 0;
      });
    case 'ask': {
      if (rest.length !== 2) return usage('ask takes a puzzle id and a question');
      if (!options.model) return usage('ask needs --model M');
      const [puzzleId, question] = rest as [string, string];
      return withCliCore(global, 'soup ask', async (core) => {
        const answer = await core.soup.askOnce(puzzleId, question, options.model!);
        process.stdout.write(options.json ? `${JSON.stringify({ answer })}\n` : `${answerLabel(answer)}\n`);
        return 0;
      });
    }
    case 'guess': {
      if (rest.length !== 2) return usage('guess takes a puzzle id and the guess');
      if (!options.model) return usage('guess needs --model M');
      const [puzzleId, text] = rest as [string, string];
      return withCliCore(global, 'soup guess', async (core) => {
        const result = await core.soup.guessOnce(puzzleId, text, options.model!);
        if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          const found = result.facts.filter((f) => f.found).length;
          process.stdout.write(`${result.solved ? 'Solved!' : `${found} of ${result.facts.length} key facts found`}\n`);
          for (const f of result.facts) process.stdout.write(`  ${f.found ? '✓' : '✗'} ${f.found ? f.fact : '(not found)'}\n`);
        }
        return 0;
      });
    }
    case 'play':
      if (rest.length > 1) return usage('play takes at most a puzzle id');
      return withCliCore(global, 'soup play', (core) => play(core, rest[0], options.model));
    case 'eval':
      if (rest.length > 0) return usage('eval takes no arguments');
      if (!options.model && !options.export) return usage('eval needs --model M (or --export FILE)');
      return withCliCore(global, 'soup eval', (core) => evaluate(core, options));
    default:
      return usage(sub ? `unknown soup command "${sub}"` : 'give a command');
  }
}

function answerLabel(answer: string): string {
  return answer === 'yes-and-no' ? 'Yes and no' : answer[0]!.toUpperCase() + answer.slice(1);
}

/** A terminal game: each stdin line is a question, `hint`, `guess TEXT`, `reveal` or `quit`. Works with a pipe. */
async function play(core: Core, puzzleId: string | undefined, model: string | undefined): Promise<number> {
  const modelId = model ?? (await core.soup.defaultHostModelId());
  if (!modelId) throw new Error('No local model to host: pass --model M (a local id, PROVIDER/MODEL or auto)');
  let game = await core.soup.start({ puzzleId, modelId });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Turtle Soup: ${game.title} (host: ${modelId}, game ${game.id})`);
  out(game.surface);
  out(`Ask yes/no questions (${game.questionBudget} allowed); or: hint, guess TEXT, reveal, quit.`);
  const lines = createInterface({ input: process.stdin, terminal: false });
  const prompt = () => {
    if (process.stdin.isTTY) process.stdout.write('> ');
  };
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      prompt();
      continue;
    }
    try {
      if (line === 'quit' || line === 'exit') break;
      if (line === 'hint') {
        const result = await core.soup.hint(game.id);
        game = result.game;
        out(`Hint ${game.hintsUsed} of ${game.hintsTotal}: ${result.hint}`);
      } else if (line === 'reveal') {
        game = await core.soup.reveal(game.id);
        printReveal(game, out);
        break;
      } else if (line.startsWith('guess ')) {
        const result = await core.soup.guess(game.id, line.slice(6).trim());
        game = result.game;
        const found = game.factsFoundAt.filter((at) => at !== null).length;
        out(result.solved ? `Solved! All ${game.keyFactCount} key facts found.` : `${found} of ${game.keyFactCount} key facts found`);
        for (const fact of game.facts) if (fact !== null) out(`  ✓ ${fact}`);
        if (result.solved) {
          printReveal(game, out);
          break;
        }
      } else {
        const result = await core.soup.ask(game.id, line);
        game = result.game;
        out(`${answerLabel(result.answer)}  (${game.questionsAsked}/${game.questionBudget})`);
        if (game.status === 'out-of-questions') {
          out('Out of questions.');
          printReveal(await core.soup.reveal(game.id), out);
          break;
        }
      }
    } catch (error) {
      const { code, message } = toTandemError(error);
      out(`${code}: ${message}`);
    }
    prompt();
  }
  lines.close();
  out(`Game saved: ${game.id} (${game.status})`);
  return 0;
}

function printReveal(game: GameView, out: (line: string) => void): void {
  out(`The story: ${game.hidden ?? ''}`);
  game.facts.forEach((fact, i) => {
    const at = game.factsFoundAt[i];
    out(`  ${at ? '✓' : '✗'} ${fact ?? ''}${at ? ` (found ${at})` : ''}`);
  });
}

/** The host's accuracy on every builtin puzzle's labelled questions; or, with --export, those questions as a lab task set. */
async function evaluate(core: Core, options: SoupCommandOptions): Promise<number> {
  const puzzles = core.soup.puzzles.builtin();
  if (options.export) {
    const tasks = soupLabTasks(puzzles);
    await writeFile(options.export, tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
    process.stderr.write(`Wrote ${tasks.length} tasks to ${options.export}; run them with: tandem lab run ${options.export} --models A,B\n`);
    if (!options.model) return 0;
  }
  const modelId = options.model!;
  const rows: SoupEvalRow[] = [];
  for (const puzzle of puzzles) {
    for (const q of puzzle.questions) {
      try {
        const answer = await core.soup.askOnce(puzzle.id, q.question, modelId);
        rows.push({ puzzleId: puzzle.id, question: q.question, expected: q.answer, answer, correct: answer === q.answer });
      } catch (error) {
        rows.push({ puzzleId: puzzle.id, question: q.question, expected: q.answer, answer: null, correct: false, error: toTandemError(error).message });
      }
      if (!options.json) process.stderr.write(`\r${rows.length} questions asked`);
    }
  }
  if (!options.json) process.stderr.write('\n');
  const summary = summarizeEval(modelId, puzzles, rows);
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    process.stdout.write(`${modelId}: ${summary.correct}/${summary.total} correct (${pct(summary.accuracy)})\n`);
    for (const [difficulty, b] of Object.entries(summary.byDifficulty)) {
      if (b.total > 0) process.stdout.write(`  ${difficulty.padEnd(6)} ${b.correct}/${b.total} (${pct(b.accuracy)})\n`);
    }
    const failed = rows.filter((r) => r.error).length;
    if (failed > 0) process.stdout.write(`  ${failed} questions failed (counted wrong)\n`);
  }
  return 0;
}
