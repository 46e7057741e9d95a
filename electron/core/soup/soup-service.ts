import { join } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import type { FactVerdict, GameEvent, GameSummary, GameView, Puzzle, PuzzleSummary, SoupAnswer } from '../../../shared/ipc/routes/soup';
import type { LanguageModel } from '../models/language-model';
import { GameStore, type StoredGame } from './game-store';
import { askHost } from './host';
import { PuzzleStore } from './puzzle-store';
import {
  DEFAULT_QUESTION_BUDGET,
  askEvent,
  beginAsk,
  disputeEvent,
  giveUpEvent,
  guessEvent,
  hintEvent,
  replayGame,
  revealEvent,
  type GameState,
} from './rules';
import { judgeGuess, type SolvedFact } from './solver';

export interface SoupServiceDeps {
  /** `<dataDir>/soup`. */
  dir: string;
  /** The builtin pack (`BundledResources.puzzles`: resources/turtle-soup/puzzles.json). */
  builtinFile: string;
  /** Any model: local id, PROVIDER/MODEL or auto (with budgets and the rest); `cache: false` skips the response cache (a retry). */
  resolveModel: (modelId: string, options?: { cache?: false }) => Promise<LanguageModel>;
  /** A model that runs on this machine (the judge stays local). */
  isLocal: (modelId: string) => boolean;
  /** The first local chat model, the judge when the host is not local. */
  defaultLocalModelId: () => Promise<string | null>;
  /** A disputed verdict becomes a router outcome against the judge. */
  recordOutcome: (outcome: { prompt: string; task: string; outcomes: Record<string, { score: number }> }) => void;
  onChanged: () => void;
  now?: () => Date;
}

interface LoadedGame {
  stored: StoredGame;
  puzzle: Puzzle;
  state: GameState;
}

/** Turtle Soup: puzzles, saved games, the host and the solver, behind the soup.* routes. */
export class SoupService {
  readonly puzzles: PuzzleStore;
  readonly games: GameStore;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: SoupServiceDeps) {
    this.puzzles = new PuzzleStore({ userFile: join(deps.dir, 'puzzles.json'), builtinFile: deps.builtinFile });
    this.games = new GameStore(join(deps.dir, 'games'));
  }

  async init(): Promise<void> {
    await this.puzzles.init();
    await this.games.init();
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  // --- puzzles ---

  listPuzzles(): PuzzleSummary[] {
    return this.puzzles.list();
  }

  async addPuzzle(input: unknown): Promise<PuzzleSummary> {
    const summary = await this.puzzles.add(input);
    this.deps.onChanged();
    return summary;
  }

  async importPuzzles(json: string) {
    const result = await this.puzzles.import(json);
    if (result.added.length > 0) this.deps.onChanged();
    return result;
  }

  // --- games ---

  async listGames(): Promise<GameSummary[]> {
    const games = await this.games.list();
    return games.map((stored) => {
      const puzzle = this.puzzles.find(stored.meta.puzzleId);
      const state = replayGame(stored.events, puzzle?.keyFacts.length ?? 0);
      const { id, puzzleId, title, modelId, createdAt, updatedAt } = stored.meta;
      return { id, puzzleId, title, modelId, status: state.status, questionsAsked: state.questionsAsked, createdAt, updatedAt };
    });
  }

  /** Starts a game; no puzzle id: "Surprise me", a random puzzle not played yet (else any). */
  async start(input: { puzzleId?: string; modelId: string; questionBudget?: number }): Promise<GameView> {
    const puzzle = input.puzzleId ? this.puzzles.get(input.puzzleId) : await this.surprise();
    await this.deps.resolveModel(input.modelId); // an unknown host model is refused now, not at the first question
    const start: GameEvent = {
      type: 'start',
      at: this.now(),
      puzzleId: puzzle.id,
      modelId: input.modelId,
      questionBudget: input.questionBudget ?? DEFAULT_QUESTION_BUDGET,
    };
    const stored = await this.games.create({ puzzleId: puzzle.id, title: puzzle.title, modelId: input.modelId }, start);
    this.deps.onChanged();
    return this.view({ stored, puzzle, state: replayGame(stored.events, puzzle.keyFacts.length) });
  }

  private async surprise(): Promise<Puzzle> {
    const all = this.puzzles.all().map((p) => p.puzzle);
    if (all.length === 0) throw new CodedError('NOT_FOUND', 'There are no puzzles yet: add one first.');
    const played = new Set((await this.games.list()).map((g) => g.meta.puzzleId));
    const fresh = all.filter((p) => !played.has(p.id));
    const pool = fresh.length > 0 ? fresh : all;
    return pool[Math.floor(Math.random() * pool.length)]!;
  }

  async get(gameId: string): Promise<GameView> {
    return this.view(await this.load(gameId));
  }

  /** The host's answer: memoised per game by normalised question, else asked of the model (constrained, retried once). */
  async ask(gameId: string, question: string, signal = new AbortController().signal): Promise<{ answer: SoupAnswer; game: GameView }> {
    return this.locked(gameId, async () => {
      const game = await this.load(gameId);
      const answer = beginAsk(game.state, question) ?? (await this.host(game.state.modelId, game.puzzle, question, signal));
      const updated = await this.append(game, askEvent(game.state, question, answer, this.now()));
      return { answer, game: this.view(updated) };
    });
  }

  async hint(gameId: string): Promise<{ hint: string; game: GameView }> {
    return this.locked(gameId, async () => {
      const game = await this.load(gameId);
      const event = hintEvent(game.state, game.puzzle.hints, this.now());
      return { hint: event.text, game: this.view(await this.append(game, event)) };
    });
  }

  async guess(gameId: string, text: string, signal = new AbortController().signal): Promise<{ solved: boolean; facts: FactVerdict[]; game: GameView }> {
    return this.locked(gameId, async () => {
      const game = await this.load(gameId);
      guessEvent(game.state, text, [], this.now()); // refuses a finished game before any model call
      const solved = await this.judge(game.state.modelId, game.puzzle, text, signal);
      const facts = solved.map(({ index, found, by }) => ({ index, found, by }));
      const event = guessEvent(game.state, text, facts, this.now());
      const updated = await this.append(game, event);
      return { solved: event.solved, facts, game: this.view(updated) };
    });
  }

  /** "I think that counts": logged, the fact counts as found, and the judge gets a zero as a router outcome. */
  async dispute(gameId: string, guess: number, index: number): Promise<GameView> {
    return this.locked(gameId, async () => {
      const game = await this.load(gameId);
      const event = disputeEvent(game.state, guess, index, this.now());
      const updated = await this.append(game, event);
      const judgeModelId = await this.judgeModelId(game.state.modelId);
      if (judgeModelId) {
        this.deps.recordOutcome({
          prompt: `Turtle Soup judge: fact "${game.puzzle.keyFacts[index]}" vs guess "${game.state.guesses[guess]!.text}"`,
          task: 'other',
          outcomes: { [judgeModelId]: { score: 0 } },
        });
      }
      return this.view(updated);
    });
  }

  async giveUp(gameId: string): Promise<GameView> {
    return this.locked(gameId, async () => {
      const game = await this.load(gameId);
      return this.view(await this.append(game, giveUpEvent(game.state, this.now())));
    });
  }

  async reveal(gameId: string): Promise<GameView> {
    return this.locked(gameId, async () => {
      const game = await this.load(gameId);
      if (game.state.revealed) return this.view(game);
      return this.view(await this.append(game, revealEvent(game.state, this.now())));
    });
  }

  // --- one-off (CLI): nothing saved ---

  /** Asks the host about a puzzle outside any game. */
  async askOnce(puzzleId: string, question: string, modelId: string, signal = new AbortController().signal): Promise<SoupAnswer> {
    return this.host(modelId, this.puzzles.get(puzzleId), question, signal);
  }

  /** Judges a guess outside any game. */
  async guessOnce(puzzleId: string, text: string, modelId: string, signal = new AbortController().signal): Promise<{ solved: boolean; facts: { fact: string; found: boolean }[] }> {
    const puzzle = this.puzzles.get(puzzleId);
    const verdicts = await this.judge(modelId, puzzle, text, signal);
    return { solved: verdicts.every((v) => v.found), facts: verdicts.map((v) => ({ fact: puzzle.keyFacts[v.index]!, found: v.found })) };
  }

  /** The host when none is named: the first local chat model. */
  defaultHostModelId(): Promise<string | null> {
    return this.deps.defaultLocalModelId();
  }

  // --- internals ---

  /** The judge: the host model when it is local, else the first local chat model; null (word overlap only) when there is none. */
  async judgeModelId(hostModelId: string): Promise<string | null> {
    return this.deps.isLocal(hostModelId) ? hostModelId : await this.deps.defaultLocalModelId();
  }

  /** The host's answer; its one retry skips the response cache (else it would replay the bad reply). */
  private async host(modelId: string, puzzle: Puzzle, question: string, signal: AbortSignal): Promise<SoupAnswer> {
    return askHost(await this.deps.resolveModel(modelId), puzzle, question, signal, () => this.deps.resolveModel(modelId, { cache: false }));
  }

  private async judge(hostModelId: string, puzzle: Puzzle, text: string, signal: AbortSignal): Promise<SolvedFact[]> {
    const judgeId = await this.judgeModelId(hostModelId);
    const model = judgeId ? await this.deps.resolveModel(judgeId).catch(() => null) : null;
    return judgeGuess(model, puzzle.keyFacts, text, signal);
  }

  private async load(gameId: string): Promise<LoadedGame> {
    const stored = await this.games.get(gameId);
    const puzzle = this.puzzles.find(stored.meta.puzzleId);
    if (!puzzle) throw new CodedError('NOT_FOUND', `The puzzle "${stored.meta.puzzleId}" of this game is gone.`);
    return { stored, puzzle, state: replayGame(stored.events, puzzle.keyFacts.length) };
  }

  private async append(game: LoadedGame, event: GameEvent): Promise<LoadedGame> {
    await this.games.append(game.stored.meta.id, event);
    this.deps.onChanged();
    const events = [...game.stored.events, event];
    return {
      ...game,
      stored: { ...game.stored, events, meta: { ...game.stored.meta, updatedAt: event.at } },
      state: replayGame(events, game.puzzle.keyFacts.length),
    };
  }

  /** One operation per game at a time (two quick questions must not both fit in the last slot). */
  private locked<T>(gameId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(gameId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(gameId, settled);
    void settled.then(() => {
      if (this.locks.get(gameId) === settled) this.locks.delete(gameId);
    });
    return next;
  }

  /** What the player may see: the hidden story and unfound facts stay hidden while playing. */
  view({ stored, puzzle, state }: LoadedGame): GameView {
    const open = state.status !== 'playing' || state.revealed;
    return {
      id: stored.meta.id,
      puzzleId: puzzle.id,
      title: puzzle.title,
      surface: puzzle.surface,
      modelId: state.modelId || stored.meta.modelId,
      status: state.status,
      questionBudget: state.questionBudget,
      questionsAsked: state.questionsAsked,
      hintsUsed: state.hintsUsed,
      hintsTotal: puzzle.hints.length,
      keyFactCount: puzzle.keyFacts.length,
      factsFoundAt: state.factsFoundAt,
      facts: puzzle.keyFacts.map((fact, i) => (open || state.factsFoundAt[i] !== null ? fact : null)),
      hidden: open ? puzzle.hidden : null,
      events: stored.events,
      createdAt: stored.meta.createdAt,
      updatedAt: stored.meta.updatedAt,
    };
  }
}
