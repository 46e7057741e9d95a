import { z } from 'zod';
import { IdSchema } from '../ids';
import { request } from '../route-def';

/** What the host may say, and nothing else. */
export const SoupAnswerSchema = z.enum(['yes', 'no', 'irrelevant', 'yes-and-no']);
export type SoupAnswer = z.infer<typeof SoupAnswerSchema>;
export const SOUP_ANSWERS = SoupAnswerSchema.options;

export const DifficultySchema = z.enum(['easy', 'medium', 'hard']);
export type Difficulty = z.infer<typeof DifficultySchema>;

/** A Turtle Soup puzzle (situation puzzle). */
export const PuzzleSchema = z.object({
  /** Lower-case letters, digits and dashes. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'ids are lower-case letters, digits and dashes'),
  title: z.string().trim().min(1).max(120),
  difficulty: DifficultySchema,
  /** What the player hears. */
  surface: z.string().trim().min(20).max(2000),
  /** The hidden story the player must find. */
  hidden: z.string().trim().min(20).max(4000),
  /** 3–6 facts a guess must cover to solve it. */
  keyFacts: z.array(z.string().trim().min(3).max(300)).min(3).max(6),
  /** Up to 3 hints, given in order. */
  hints: z.array(z.string().trim().min(3).max(300)).min(1).max(3),
  /** At least 8 questions with the right answer: the host's test set. */
  questions: z.array(z.object({ question: z.string().trim().min(3).max(300), answer: SoupAnswerSchema })).min(8).max(100),
  author: z.string().max(120).optional(),
});
export type Puzzle = z.infer<typeof PuzzleSchema>;

/** A puzzle as listed: never its hidden story, facts or answers. */
export const PuzzleSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  difficulty: DifficultySchema,
  surface: z.string(),
  keyFactCount: z.number().int(),
  source: z.enum(['builtin', 'user']),
});
export type PuzzleSummary = z.infer<typeof PuzzleSummarySchema>;

export const GameStatusSchema = z.enum(['playing', 'solved', 'gave-up', 'out-of-questions']);
export type GameStatus = z.infer<typeof GameStatusSchema>;

/** How the solver judged one key fact of a guess. */
export const FactVerdictSchema = z.object({
  /** 0-based index of the key fact. */
  index: z.number().int().min(0),
  found: z.boolean(),
  /** What decided it: the judge model, the word overlap, or both agreeing; `disputed`: the player said it counts. */
  by: z.enum(['judge', 'lexical', 'both', 'disputed']),
});
export type FactVerdict = z.infer<typeof FactVerdictSchema>;

/** One line of a game's append-only log. */
export const GameEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), at: z.string(), puzzleId: z.string(), modelId: z.string(), questionBudget: z.number().int().min(1) }),
  z.object({ type: z.literal('ask'), at: z.string(), question: z.string(), answer: SoupAnswerSchema }),
  z.object({ type: z.literal('hint'), at: z.string(), index: z.number().int().min(0), text: z.string() }),
  z.object({ type: z.literal('guess'), at: z.string(), text: z.string(), facts: z.array(FactVerdictSchema), solved: z.boolean() }),
  /** "I think that counts": the player disputes the judge on a fact of a guess. */
  z.object({ type: z.literal('dispute'), at: z.string(), guess: z.number().int().min(0), index: z.number().int().min(0) }),
  z.object({ type: z.literal('give-up'), at: z.string() }),
  z.object({ type: z.literal('reveal'), at: z.string() }),
]);
export type GameEvent = z.infer<typeof GameEventSchema>;

/**
 * A game as the player sees it. The hidden story and the key facts' text
 * appear only once revealed or finished (found facts are shown as found).
 */
export const GameViewSchema = z.object({
  id: z.string(),
  puzzleId: z.string(),
  title: z.string(),
  surface: z.string(),
  modelId: z.string(),
  status: GameStatusSchema,
  questionBudget: z.number().int(),
  questionsAsked: z.number().int(),
  hintsUsed: z.number().int(),
  hintsTotal: z.number().int(),
  keyFactCount: z.number().int(),
  /** Per key fact: when it was first found (ISO time), else null. */
  factsFoundAt: z.array(z.string().nullable()),
  /** Key facts' text: the found ones while playing; all once revealed or finished. Null where still hidden. */
  facts: z.array(z.string().nullable()),
  /** The hidden story, once revealed or finished. */
  hidden: z.string().nullable(),
  events: z.array(GameEventSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GameView = z.infer<typeof GameViewSchema>;

export const GameSummarySchema = GameViewSchema.pick({ id: true, puzzleId: true, title: true, modelId: true, status: true, questionsAsked: true, createdAt: true, updatedAt: true });
export type GameSummary = z.infer<typeof GameSummarySchema>;

const GameRef = { gameId: IdSchema };

export const soupRoutes = {
  'soup.puzzles.list': request(z.strictObject({}), z.array(PuzzleSummarySchema)),
  /** Adds a user puzzle (validated; an id already taken is an error). */
  'soup.puzzles.add': request(z.strictObject({ puzzle: z.unknown() }), PuzzleSummarySchema),
  /** Imports user puzzles from JSON (one puzzle or an array); bad ones are reported by index with the reason. */
  'soup.puzzles.import': request(
    z.strictObject({ json: z.string().max(5_000_000) }),
    z.object({ added: z.array(PuzzleSummarySchema), errors: z.array(z.object({ index: z.number().int(), message: z.string() })) }),
  ),
  'soup.games.list': request(z.strictObject({}), z.array(GameSummarySchema)),
  /** Starts a game; no puzzleId: "Surprise me" (one not played yet when there is one). */
  'soup.games.start': request(
    z.strictObject({ puzzleId: z.string().max(64).optional(), modelId: z.string().min(1).max(1024), questionBudget: z.number().int().min(1).max(200).optional() }),
    GameViewSchema,
  ),
  'soup.games.get': request(z.strictObject(GameRef), GameViewSchema),
  /** The host answers with exactly one of yes / no / irrelevant / yes-and-no (the same answer for the same question). */
  'soup.ask': request(z.strictObject({ ...GameRef, question: z.string().trim().min(1).max(500) }), z.object({ answer: SoupAnswerSchema, game: GameViewSchema })),
  /** The next hint, in order (CONFLICT when none is left). */
  'soup.hint': request(z.strictObject(GameRef), z.object({ hint: z.string(), game: GameViewSchema })),
  /** Judges a guess fact by fact; solved when every key fact is covered (by this and earlier guesses). */
  'soup.guess': request(
    z.strictObject({ ...GameRef, text: z.string().trim().min(1).max(4000) }),
    z.object({ solved: z.boolean(), facts: z.array(FactVerdictSchema), game: GameViewSchema }),
  ),
  /** "I think that counts": the fact counts as found; logged as an outcome against the judge. */
  'soup.dispute': request(z.strictObject({ ...GameRef, guess: z.number().int().min(0), index: z.number().int().min(0) }), GameViewSchema),
  'soup.giveUp': request(z.strictObject(GameRef), GameViewSchema),
  /** Shows the hidden story and every key fact with when it was found (ends a game still playing as given up). */
  'soup.reveal': request(z.strictObject(GameRef), GameViewSchema),
} as const;

export const soupEvents = {
  /** Games or puzzles changed. */
  'soup.changed': z.object({}),
};
