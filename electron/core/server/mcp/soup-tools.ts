import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CodedError } from '../../../../shared/ipc/errors';
import type { GameView } from '../../../../shared/ipc/routes/soup';
import type { Core } from '../../app/create-core';
import { jsonResult } from './tool-result';
import type { ToolRunner } from './tool-runner';

/** What a tool answers about a game: the view, without the event log (the hidden story only once revealed or finished). */
function gameResult(game: GameView) {
  const { events: _events, ...rest } = game;
  return { gameId: game.id, ...rest, factsFound: game.factsFoundAt.filter((at) => at !== null).length };
}

const GameId = z.string().min(1).max(128).describe('The game id turtle_soup_start answered');

/**
 * Turtle Soup for other assistants: start a game, ask yes/no questions, take
 * hints, guess, reveal. The same games as the app's Games page (saved, listed there).
 */
export function registerSoupTools(server: McpServer, core: Core, run: ToolRunner): void {
  server.registerTool(
    'turtle_soup_start',
    {
      title: 'Start a Turtle Soup game',
      description:
        'Starts a Turtle Soup (situation puzzle) game hosted by a Tandem model and answers its surface story. Without puzzleId a random unplayed puzzle is picked. ' +
        'Then ask yes/no questions with turtle_soup_ask, take hints with turtle_soup_hint, guess the hidden story with turtle_soup_guess, or turtle_soup_reveal it.',
      inputSchema: {
        puzzleId: z.string().max(64).optional().describe(`A puzzle id (default: a random one not played yet)`),
        modelId: z.string().min(1).max(1024).optional().describe('The host model: a local id, PROVIDER/MODEL or auto (default: the first local model)'),
        questionBudget: z.number().int().min(1).max(200).optional().describe('Questions allowed (default 30)'),
      },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    (input, extra) =>
      run('turtle_soup_start', extra, async () => {
        const modelId = input.modelId ?? (await core.soup.defaultHostModelId());
        if (!modelId) throw new CodedError('NO_MODEL_AVAILABLE', 'No local model to host the game: pass modelId (PROVIDER/MODEL or auto)');
        const game = await core.soup.start({ puzzleId: input.puzzleId, modelId, questionBudget: input.questionBudget });
        return jsonResult({ ...gameResult(game), puzzles: core.soup.listPuzzles().map((p) => ({ id: p.id, title: p.title, difficulty: p.difficulty })) });
      }),
  );
  server.registerTool(
    'turtle_soup_ask',
    {
      title: 'Ask the Turtle Soup host',
      description: 'Asks the host a yes/no question about the hidden story; it answers exactly one of yes, no, irrelevant or yes-and-no (the same answer for the same question).',
      inputSchema: { gameId: GameId, question: z.string().trim().min(1).max(500) },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    (input, extra) =>
      run('turtle_soup_ask', extra, async (usage) => {
        const { answer, game } = await core.soup.ask(input.gameId, input.question);
        usage.model = game.modelId;
        return jsonResult({ answer, game: gameResult(game) });
      }),
  );
  server.registerTool(
    'turtle_soup_hint',
    {
      title: 'Take a Turtle Soup hint',
      description: 'The next hint, in order (an error when none is left).',
      inputSchema: { gameId: GameId },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    (input, extra) =>
      run('turtle_soup_hint', extra, async () => {
        const { hint, game } = await core.soup.hint(input.gameId);
        return jsonResult({ hint, game: gameResult(game) });
      }),
  );
  server.registerTool(
    'turtle_soup_guess',
    {
      title: 'Guess the hidden story',
      description: 'Judges a guess fact by fact against the puzzle’s key facts; solved when every key fact is covered (by this and earlier guesses).',
      inputSchema: { gameId: GameId, text: z.string().trim().min(1).max(4000).describe('The guessed story') },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    (input, extra) =>
      run('turtle_soup_guess', extra, async () => {
        const { solved, facts, game } = await core.soup.guess(input.gameId, input.text);
        return jsonResult({ solved, facts, factsFound: gameResult(game).factsFound, keyFactCount: game.keyFactCount, game: gameResult(game) });
      }),
  );
  server.registerTool(
    'turtle_soup_reveal',
    {
      title: 'Reveal the hidden story',
      description: 'Shows the hidden story and every key fact with when it was found; a game still playing ends as given up.',
      inputSchema: { gameId: GameId },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    (input, extra) => run('turtle_soup_reveal', extra, async () => jsonResult(gameResult(await core.soup.reveal(input.gameId)))),
  );
}
