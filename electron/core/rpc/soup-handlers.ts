import { CodedError } from '../../../shared/ipc/errors';
import type { SoupService } from '../soup/soup-service';
import type { Handlers } from './handlers';

type SoupRoute =
  | 'soup.puzzles.list'
  | 'soup.puzzles.add'
  | 'soup.puzzles.import'
  | 'soup.games.list'
  | 'soup.games.start'
  | 'soup.games.get'
  | 'soup.ask'
  | 'soup.hint'
  | 'soup.guess'
  | 'soup.dispute'
  | 'soup.giveUp'
  | 'soup.reveal';

/** Turtle Soup: puzzles, games, the host and the solver (null: UNSUPPORTED). */
export function createSoupHandlers(soup: SoupService | null = null): Pick<Handlers, SoupRoute> {
  const service = (): SoupService => {
    if (!soup) throw new CodedError('UNSUPPORTED', 'Turtle Soup is not available in this mode');
    return soup;
  };
  return {
    'soup.puzzles.list': () => service().listPuzzles(),
    'soup.puzzles.add': ({ puzzle }) => service().addPuzzle(puzzle),
    'soup.puzzles.import': ({ json }) => service().importPuzzles(json),
    'soup.games.list': () => service().listGames(),
    'soup.games.start': (input) => service().start(input),
    'soup.games.get': ({ gameId }) => service().get(gameId),
    'soup.ask': ({ gameId, question }) => service().ask(gameId, question),
    'soup.hint': ({ gameId }) => service().hint(gameId),
    'soup.guess': ({ gameId, text }) => service().guess(gameId, text),
    'soup.dispute': ({ gameId, guess, index }) => service().dispute(gameId, guess, index),
    'soup.giveUp': ({ gameId }) => service().giveUp(gameId),
    'soup.reveal': ({ gameId }) => service().reveal(gameId),
  };
}
