import { CodedError } from '../../../shared/ipc/errors';
import type { FactVerdict, GameEvent, GameStatus, SoupAnswer } from '../../../shared/ipc/routes/soup';

/** Questions a game allows when the player sets none. */
export const DEFAULT_QUESTION_BUDGET = 30;

/** What a game's log adds up to. Pure: rebuilt from the events alone. */
export interface GameState {
  status: GameStatus;
  puzzleId: string;
  modelId: string;
  questionBudget: number;
  questionsAsked: number;
  hintsUsed: number;
  /** Per key fact: when it was first found (ISO), else null. */
  factsFoundAt: (string | null)[];
  /** Per key fact: what found it first, else null. */
  factsFoundBy: (FactVerdict['by'] | null)[];
  /** Every guess, in order (disputes refer to them by index). */
  guesses: Extract<GameEvent, { type: 'guess' }>[];
  revealed: boolean;
  /** The answers already given, by normalised question (the host answers the same again). */
  answers: Map<string, SoupAnswer>;
}

/** The state of a game with no events yet (before `start`). */
function emptyState(keyFactCount: number): GameState {
  return {
    status: 'playing',
    puzzleId: '',
    modelId: '',
    questionBudget: DEFAULT_QUESTION_BUDGET,
    questionsAsked: 0,
    hintsUsed: 0,
    factsFoundAt: Array.from({ length: keyFactCount }, () => null),
    factsFoundBy: Array.from({ length: keyFactCount }, () => null),
    guesses: [],
    revealed: false,
    answers: new Map(),
  };
}

/**
 * A question as the memo keys it: lower case, punctuation dropped, spaces
 * collapsed, leading filler ("so", "ok", "um") and polite openers removed.
 */
export function normaliseQuestion(question: string): string {
  const words = question
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  while (words.length > 1 && FILLER.has(words[0]!)) words.shift();
  return words.join(' ');
}

const FILLER = new Set(['so', 'ok', 'okay', 'um', 'uh', 'well', 'hmm', 'and', 'then', 'please', 'hey', 'right']);

/** Applies one event; events a state cannot take (say, a question after the end) are ignored, as replay must not throw. */
export function applyEvent(state: GameState, event: GameEvent): GameState {
  const next: GameState = {
    ...state,
    factsFoundAt: [...state.factsFoundAt],
    factsFoundBy: [...state.factsFoundBy],
    guesses: [...state.guesses],
    answers: new Map(state.answers),
  };
  switch (event.type) {
    case 'start':
      next.puzzleId = event.puzzleId;
      next.modelId = event.modelId;
      next.questionBudget = event.questionBudget;
      return next;
    case 'ask':
      if (state.status !== 'playing') return state;
      next.questionsAsked++;
      next.answers.set(normaliseQuestion(event.question), event.answer);
      if (next.questionsAsked >= next.questionBudget) next.status = 'out-of-questions';
      return next;
    case 'hint':
      if (state.status !== 'playing') return state;
      next.hintsUsed = Math.max(next.hintsUsed, event.index + 1);
      return next;
    case 'guess':
      if (state.status !== 'playing') return state;
      next.guesses.push(event);
      for (const verdict of event.facts) markFound(next, verdict.index, event.at, verdict.found ? verdict.by : null);
      if (allFound(next)) next.status = 'solved';
      return next;
    case 'dispute':
      if (state.status !== 'playing') return state;
      markFound(next, event.index, event.at, 'disputed');
      if (allFound(next)) next.status = 'solved';
      return next;
    case 'give-up':
      if (state.status === 'playing') next.status = 'gave-up';
      return next;
    case 'reveal':
      if (state.status === 'playing') next.status = 'gave-up';
      next.revealed = true;
      return next;
  }
}

function markFound(state: GameState, index: number, at: string, by: FactVerdict['by'] | null): void {
  if (by === null || index < 0 || index >= state.factsFoundAt.length || state.factsFoundAt[index] !== null) return;
  state.factsFoundAt[index] = at;
  state.factsFoundBy[index] = by;
}

function allFound(state: GameState): boolean {
  return state.factsFoundAt.length > 0 && state.factsFoundAt.every((at) => at !== null);
}

/** Rebuilds a game's state from its log. */
export function replayGame(events: GameEvent[], keyFactCount: number): GameState {
  return events.reduce(applyEvent, emptyState(keyFactCount));
}

function requirePlaying(state: GameState, what: string): void {
  if (state.status === 'playing') return;
  const why =
    state.status === 'solved'
      ? 'the puzzle is solved'
      : state.status === 'gave-up'
        ? 'the game was given up'
        : `all ${state.questionBudget} questions are used`;
  throw new CodedError('CONFLICT', `Cannot ${what}: ${why}. Start a new game to play again.`);
}

/** The answer memoised for this question in this game, or null (then the host is asked). Refused when the game is over. */
export function beginAsk(state: GameState, question: string): SoupAnswer | null {
  requirePlaying(state, 'ask a question');
  return state.answers.get(normaliseQuestion(question)) ?? null;
}

export function askEvent(state: GameState, question: string, answer: SoupAnswer, at: string): GameEvent {
  requirePlaying(state, 'ask a question');
  return { type: 'ask', at, question, answer };
}

/** The next hint, in order; CONFLICT when none is left. */
export function hintEvent(state: GameState, hints: readonly string[], at: string): Extract<GameEvent, { type: 'hint' }> {
  requirePlaying(state, 'take a hint');
  if (state.hintsUsed >= hints.length) throw new CodedError('CONFLICT', `No hints left: all ${hints.length} have been given.`);
  return { type: 'hint', at, index: state.hintsUsed, text: hints[state.hintsUsed]! };
}

/** A guess with the solver's verdicts; `solved` counts facts found by earlier guesses and disputes too. */
export function guessEvent(state: GameState, text: string, facts: FactVerdict[], at: string): Extract<GameEvent, { type: 'guess' }> {
  requirePlaying(state, 'guess');
  const found = state.factsFoundAt.map((foundAt, i) => foundAt !== null || facts.some((f) => f.index === i && f.found));
  return { type: 'guess', at, text, facts, solved: found.length > 0 && found.every(Boolean) };
}

/** "I think that counts": the fact of that guess counts as found. */
export function disputeEvent(state: GameState, guess: number, index: number, at: string): GameEvent {
  requirePlaying(state, 'dispute a verdict');
  const target = state.guesses[guess];
  if (!target) throw new CodedError('NOT_FOUND', `There is no guess ${guess} in this game.`);
  if (index >= state.factsFoundAt.length) throw new CodedError('NOT_FOUND', `There is no key fact ${index} in this puzzle.`);
  if (state.factsFoundAt[index] !== null) throw new CodedError('CONFLICT', `Key fact ${index + 1} is already found.`);
  return { type: 'dispute', at, guess, index };
}

export function giveUpEvent(state: GameState, at: string): GameEvent {
  requirePlaying(state, 'give up');
  return { type: 'give-up', at };
}

/** Reveal is always allowed: a playing game becomes given up; a finished one just shows its story. */
export function revealEvent(_state: GameState, at: string): GameEvent {
  return { type: 'reveal', at };
}
