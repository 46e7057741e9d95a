import { CodedError } from '../../../shared/ipc/errors';
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

/** Turtle Soup: puzzles, games, the host and the solver. */
export function createSoupHandlers(): Pick<Handlers, SoupRoute> {
  const todo = (): never => {
    throw new CodedError('UNSUPPORTED', 'not built yet');
  };
  return {
    'soup.puzzles.list': () => todo(),
    'soup.puzzles.add': () => todo(),
    'soup.puzzles.import': () => todo(),
    'soup.games.list': () => todo(),
    'soup.games.start': () => todo(),
    'soup.games.get': () => todo(),
    'soup.ask': () => todo(),
    'soup.hint': () => todo(),
    'soup.guess': () => todo(),
    'soup.dispute': () => todo(),
    'soup.giveUp': () => todo(),
    'soup.reveal': () => todo(),
  };
}
