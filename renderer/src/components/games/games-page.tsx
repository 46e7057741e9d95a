import { useEffect, useId } from 'react';
import { useAppStore } from '../../store/store-context';
import { NoticeList } from '../chat/notice-list';
import { RefreshIcon } from '../common/icons';
import { SoupGame } from './soup-game';
import { SoupLobby } from './soup-lobby';

/** Games played with a model; for now Turtle Soup (situation puzzles): the puzzle list, saved games, and the game itself. */
export function GamesPage() {
  const loadSoup = useAppStore((s) => s.loadSoup);
  const gameOpen = useAppStore((s) => s.soupGame !== null);
  const titleId = useId();

  useEffect(() => {
    void loadSoup();
  }, [loadSoup]);

  return (
    <div className="page games">
      <header className="page__header">
        <h1 className="page__title">Games</h1>
        <button type="button" className="button" onClick={() => void loadSoup()}>
          <RefreshIcon />
          Refresh
        </button>
      </header>
      <NoticeList />
      <div className="page__body games__body">
        <section className="soup" aria-labelledby={titleId}>
          <header className="soup__intro">
            <h2 id={titleId} className="soup__title">
              Turtle Soup
            </h2>
            <p className="muted soup__tagline">
              A strange situation, a hidden story. Ask questions the host may only answer with Yes, No or Irrelevant, then guess what happened.
            </p>
          </header>
          {gameOpen ? <SoupGame /> : <SoupLobby />}
        </section>
      </div>
    </div>
  );
}
