import type { RouteOutput } from '../../../shared/ipc/contract';
import type { GameSummary, GameView, PuzzleSummary } from '../../../shared/ipc/routes/soup';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

export type SoupImportResult = RouteOutput<'soup.puzzles.import'>;

/** What the open game is waiting for (one thing at a time). */
export type SoupBusy = 'start' | 'ask' | 'hint' | 'guess' | 'dispute' | 'give-up' | 'reveal';

export interface SoupSlice {
  soupPuzzles: PuzzleSummary[];
  soupPuzzlesStatus: LoadStatus;
  soupPuzzlesError: string | null;
  /** Saved games, the most recently played first. */
  soupGames: GameSummary[];
  soupGamesStatus: LoadStatus;
  /** The game being played or looked at; null shows the puzzle list. */
  soupGame: GameView | null;
  /** The host model the player chose; null: the default (the first local chat model). */
  soupHostModelId: string | null;
  soupBusy: SoupBusy | null;
  /** The question being answered right now (shown in the log while the host thinks). */
  soupPendingQuestion: string | null;
  /** Why the last action on the open game failed. */
  soupError: string | null;

  loadSoup(): Promise<void>;
  loadSoupPuzzles(): Promise<void>;
  loadSoupGames(): Promise<void>;
  /** Reloads what the Games page shows after the backend said games or puzzles changed. */
  receiveSoupChanged(): void;
  setSoupHostModel(modelId: string): void;
  /** Starts a game (no puzzle: "Surprise me") with the given host; false (with the reason in soupError) when it could not. */
  startSoupGame(modelId: string, puzzleId?: string): Promise<boolean>;
  openSoupGame(gameId: string): Promise<void>;
  closeSoupGame(): void;
  askSoup(question: string): Promise<boolean>;
  soupHint(): Promise<boolean>;
  soupGuess(text: string): Promise<boolean>;
  /** "I think that counts" on key fact `index` of guess number `guess` (0-based, counting guesses only). */
  soupDispute(guess: number, index: number): Promise<boolean>;
  soupGiveUp(): Promise<boolean>;
  soupReveal(): Promise<boolean>;
  clearSoupError(): void;
  /** Imports puzzles from JSON; throws with a readable message when the backend refuses the whole import. */
  importSoupPuzzles(json: string): Promise<SoupImportResult>;
}

function summaryOf(game: GameView): GameSummary {
  const { id, puzzleId, title, modelId, status, questionsAsked, createdAt, updatedAt } = game;
  return { id, puzzleId, title, modelId, status, questionsAsked, createdAt, updatedAt };
}

function byUpdated(a: GameSummary, b: GameSummary): number {
  return b.updatedAt.localeCompare(a.updatedAt);
}

export const createSoupSlice: SliceCreator<SoupSlice> = (set, get, { client }) => {
  let puzzlesTicket = 0;
  let gamesTicket = 0;
  // Every change to the open game counts; a late answer for an older state never covers a newer one.
  let gameTicket = 0;

  /** The open game as the backend now has it, and the saved list in step with it. */
  const showGame = (game: GameView) => {
    gameTicket++;
    set((state) => ({
      soupGame: game,
      soupGames: [...state.soupGames.filter((g) => g.id !== game.id), summaryOf(game)].sort(byUpdated),
    }));
  };

  /** Runs one action on the open game: one at a time, its error kept for the game view. */
  const act = async (busy: SoupBusy, run: (gameId: string) => Promise<GameView>): Promise<boolean> => {
    const game = get().soupGame;
    if (!game || get().soupBusy) return false;
    set({ soupBusy: busy, soupError: null });
    try {
      const next = await run(game.id);
      // The player may have left this game meanwhile; the list still learns of it.
      if (get().soupGame?.id === game.id) showGame(next);
      else set((state) => ({ soupGames: [...state.soupGames.filter((g) => g.id !== next.id), summaryOf(next)].sort(byUpdated) }));
      return true;
    } catch (error) {
      if (get().soupGame?.id === game.id) set({ soupError: describeError(error) });
      return false;
    } finally {
      set({ soupBusy: null, soupPendingQuestion: null });
    }
  };

  return {
    soupPuzzles: [],
    soupPuzzlesStatus: 'idle',
    soupPuzzlesError: null,
    soupGames: [],
    soupGamesStatus: 'idle',
    soupGame: null,
    soupHostModelId: null,
    soupBusy: null,
    soupPendingQuestion: null,
    soupError: null,

    loadSoup: async () => {
      const game = get().soupGame;
      await Promise.all([get().loadSoupPuzzles(), get().loadSoupGames(), game && !get().soupBusy ? get().openSoupGame(game.id) : undefined]);
    },

    loadSoupPuzzles: async () => {
      const ticket = ++puzzlesTicket;
      if (get().soupPuzzlesStatus !== 'ready') set({ soupPuzzlesStatus: 'loading' });
      try {
        const puzzles = await client.request('soup.puzzles.list', {});
        if (ticket !== puzzlesTicket) return;
        set({ soupPuzzles: puzzles, soupPuzzlesStatus: 'ready', soupPuzzlesError: null });
      } catch (error) {
        if (ticket !== puzzlesTicket) return;
        set({ soupPuzzlesStatus: 'error', soupPuzzlesError: describeError(error) });
      }
    },

    loadSoupGames: async () => {
      const ticket = ++gamesTicket;
      if (get().soupGamesStatus !== 'ready') set({ soupGamesStatus: 'loading' });
      try {
        const games = await client.request('soup.games.list', {});
        if (ticket !== gamesTicket) return;
        set({ soupGames: [...games].sort(byUpdated), soupGamesStatus: 'ready' });
      } catch {
        if (ticket !== gamesTicket) return;
        set({ soupGamesStatus: 'error' });
      }
    },

    receiveSoupChanged: () => {
      if (get().page !== 'games') return;
      void get().loadSoup();
    },

    setSoupHostModel: (modelId) => set({ soupHostModelId: modelId }),

    startSoupGame: async (modelId, puzzleId) => {
      if (get().soupBusy) return false;
      set({ soupBusy: 'start', soupError: null });
      try {
        const game = await client.request('soup.games.start', puzzleId ? { puzzleId, modelId } : { modelId });
        showGame(game);
        return true;
      } catch (error) {
        set({ soupError: describeError(error) });
        return false;
      } finally {
        set({ soupBusy: null });
      }
    },

    openSoupGame: async (gameId) => {
      const ticket = ++gameTicket;
      try {
        const game = await client.request('soup.games.get', { gameId });
        if (ticket !== gameTicket) return;
        showGame(game);
      } catch (error) {
        if (ticket !== gameTicket) return;
        get().notify(`Could not open the game: ${describeError(error)}`);
      }
    },

    closeSoupGame: () => {
      gameTicket++;
      set({ soupGame: null, soupError: null });
      void get().loadSoupGames();
    },

    askSoup: async (question) => {
      const text = question.trim();
      if (!text || !get().soupGame || get().soupBusy) return false;
      set({ soupPendingQuestion: text });
      return act('ask', async (gameId) => (await client.request('soup.ask', { gameId, question: text })).game);
    },

    soupHint: () => act('hint', async (gameId) => (await client.request('soup.hint', { gameId })).game),

    soupGuess: (text) => act('guess', async (gameId) => (await client.request('soup.guess', { gameId, text: text.trim() })).game),

    soupDispute: (guess, index) => act('dispute', (gameId) => client.request('soup.dispute', { gameId, guess, index })),

    soupGiveUp: () => act('give-up', (gameId) => client.request('soup.giveUp', { gameId })),

    soupReveal: () => act('reveal', (gameId) => client.request('soup.reveal', { gameId })),

    clearSoupError: () => set({ soupError: null }),

    importSoupPuzzles: async (json) => {
      let result: SoupImportResult;
      try {
        result = await client.request('soup.puzzles.import', { json });
      } catch (error) {
        throw new Error(describeError(error));
      }
      void get().loadSoupPuzzles();
      return result;
    },
  };
};
