import { describe, expect, test } from 'vitest';
import type { FactVerdict, GameEvent } from '../../../shared/ipc/routes/soup';
import type { CodedError } from '../../../shared/ipc/errors';
import {
  DEFAULT_QUESTION_BUDGET,
  applyEvent,
  askEvent,
  beginAsk,
  disputeEvent,
  giveUpEvent,
  guessEvent,
  hintEvent,
  normaliseQuestion,
  replayGame,
  revealEvent,
  type GameState,
} from '../../../electron/core/soup/rules';

const HINTS = ['first hint', 'second hint', 'third hint'];
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
const start = (budget = DEFAULT_QUESTION_BUDGET): GameEvent => ({ type: 'start', at: at(0), puzzleId: 'p', modelId: 'm', questionBudget: budget });

function play(events: GameEvent[], facts = 4): GameState {
  return replayGame(events, facts);
}
function apply(state: GameState, event: GameEvent): GameState {
  return applyEvent(state, event);
}
function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as CodedError).code;
  }
  return 'no error';
}
const verdicts = (found: number[], count = 4): FactVerdict[] =>
  Array.from({ length: count }, (_, index) => ({ index, found: found.includes(index), by: found.includes(index) ? 'both' : 'judge' }) as FactVerdict);

describe('rules', () => {
  test('a new game is playing with the default budget of 30 and nothing found', () => {
    const state = play([start()]);
    expect(state.status).toBe('playing');
    expect(state.questionBudget).toBe(30);
    expect(state.questionsAsked).toBe(0);
    expect(state.factsFoundAt).toEqual([null, null, null, null]);
  });

  test('asking counts questions; the last question of the budget ends the game as out-of-questions', () => {
    let state = play([start(3)]);
    for (let i = 0; i < 3; i++) {
      expect(beginAsk(state, `question ${i}?`)).toBeNull();
      state = apply(state, askEvent(state, `question ${i}?`, 'no', at(i + 1)));
    }
    expect(state.questionsAsked).toBe(3);
    expect(state.status).toBe('out-of-questions');
    expect(code(() => beginAsk(state, 'one more?'))).toBe('CONFLICT');
    expect(code(() => askEvent(state, 'one more?', 'yes', at(9)))).toBe('CONFLICT');
  });

  test('a question asked again (after normalising) returns the logged answer', () => {
    let state = play([start()]);
    state = apply(state, askEvent(state, 'Was he ever shipwrecked?', 'yes', at(1)));
    expect(beginAsk(state, '  so, was HE ever   shipwrecked ')).toBe('yes');
    expect(beginAsk(state, 'Was she ever shipwrecked?')).toBeNull();
    expect(normaliseQuestion("Okay... Is it the man's wife?!")).toBe('is it the mans wife');
  });

  test('hints come in order, at most as many as the puzzle has, then CONFLICT', () => {
    let state = play([start()]);
    const given: string[] = [];
    for (let i = 0; i < HINTS.length; i++) {
      const event = hintEvent(state, HINTS, at(i + 1));
      expect(event.index).toBe(i);
      given.push(event.text);
      state = apply(state, event);
    }
    expect(given).toEqual(HINTS);
    expect(state.hintsUsed).toBe(3);
    expect(code(() => hintEvent(state, HINTS, at(9)))).toBe('CONFLICT');
  });

  test('guesses accumulate found facts; covering all of them solves the game', () => {
    let state = play([start()]);
    const first = guessEvent(state, 'a', verdicts([0, 1]), at(1));
    expect(first.solved).toBe(false);
    state = apply(state, first);
    expect(state.factsFoundAt).toEqual([at(1), at(1), null, null]);
    const second = guessEvent(state, 'b', verdicts([2]), at(2));
    state = apply(state, second);
    expect(state.status).toBe('playing');
    expect(state.factsFoundAt).toEqual([at(1), at(1), at(2), null]);
    const third = guessEvent(state, 'c', verdicts([3]), at(3));
    expect(third.solved).toBe(true);
    state = apply(state, third);
    expect(state.status).toBe('solved');
    expect(state.factsFoundAt).toEqual([at(1), at(1), at(2), at(3)]); // first found time is kept
    expect(code(() => askEvent(state, 'more?', 'yes', at(4)))).toBe('CONFLICT');
    expect(code(() => hintEvent(state, HINTS, at(4)))).toBe('CONFLICT');
    expect(code(() => guessEvent(state, 'again', verdicts([]), at(4)))).toBe('CONFLICT');
  });

  test('a dispute marks that fact found by "disputed", and can finish the game', () => {
    let state = play([start(), { type: 'guess', at: at(1), text: 'x', facts: verdicts([0, 1, 2]), solved: false }]);
    expect(code(() => disputeEvent(state, 5, 3, at(2)))).toBe('NOT_FOUND');
    expect(code(() => disputeEvent(state, 0, 0, at(2)))).toBe('CONFLICT'); // already found
    state = apply(state, disputeEvent(state, 0, 3, at(2)));
    expect(state.factsFoundBy[3]).toBe('disputed');
    expect(state.factsFoundAt[3]).toBe(at(2));
    expect(state.status).toBe('solved');
  });

  test('giving up ends the game; a finished game refuses more questions, hints and guesses', () => {
    let state = play([start()]);
    state = apply(state, giveUpEvent(state, at(1)));
    expect(state.status).toBe('gave-up');
    expect(code(() => beginAsk(state, 'q?'))).toBe('CONFLICT');
    expect(code(() => hintEvent(state, HINTS, at(2)))).toBe('CONFLICT');
    expect(code(() => giveUpEvent(state, at(2)))).toBe('CONFLICT');
  });

  test('reveal turns a playing game into gave-up; on a finished game it keeps the status', () => {
    let state = play([start()]);
    state = apply(state, revealEvent(state, at(1)));
    expect(state.status).toBe('gave-up');
    expect(state.revealed).toBe(true);
    let solved = play([start(), { type: 'guess', at: at(1), text: 'all', facts: verdicts([0, 1, 2, 3]), solved: true }]);
    solved = apply(solved, revealEvent(solved, at(2)));
    expect(solved.status).toBe('solved');
    expect(solved.revealed).toBe(true);
    let out = play([start(1), { type: 'ask', at: at(1), question: 'q', answer: 'no' }]);
    out = apply(out, revealEvent(out, at(2)));
    expect(out.status).toBe('out-of-questions');
  });

  test('replay ignores events a finished game could not take (a damaged log never throws)', () => {
    const state = play([
      start(1),
      { type: 'ask', at: at(1), question: 'q1', answer: 'no' },
      { type: 'ask', at: at(2), question: 'q2', answer: 'yes' },
      { type: 'hint', at: at(3), index: 0, text: 'h' },
    ]);
    expect(state.status).toBe('out-of-questions');
    expect(state.questionsAsked).toBe(1);
    expect(state.hintsUsed).toBe(0);
  });
});
