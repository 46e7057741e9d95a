import { useId, useState } from 'react';
import type { PuzzleSummary } from '../../../../shared/ipc/routes/soup';
import { formatTime } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';
import { DIFFICULTY_LABELS, STATUS_LABELS, plural, useHostModels } from './soup-format';
import { SoupImport } from './soup-import';

/** Choose a host and a puzzle (or "Surprise me"), resume a saved game, or add puzzles. */
export function SoupLobby() {
  const puzzles = useAppStore((s) => s.soupPuzzles);
  const puzzlesStatus = useAppStore((s) => s.soupPuzzlesStatus);
  const puzzlesError = useAppStore((s) => s.soupPuzzlesError);
  const chosen = useAppStore((s) => s.soupHostModelId);
  const setSoupHostModel = useAppStore((s) => s.setSoupHostModel);
  const startSoupGame = useAppStore((s) => s.startSoupGame);
  const busy = useAppStore((s) => s.soupBusy);
  const error = useAppStore((s) => s.soupError);
  const hasGames = useAppStore((s) => s.soupGames.length > 0);
  const { groups, modelId } = useHostModels(chosen);
  // Which Start was pressed ('' for "Surprise me"), to say so on that button.
  const [starting, setStarting] = useState<string | null>(null);
  const listTitleId = useId();

  const start = async (puzzleId?: string) => {
    if (!modelId) return;
    setStarting(puzzleId ?? '');
    await startSoupGame(modelId, puzzleId);
    setStarting(null);
  };

  const cannotStart = !modelId || busy !== null;

  return (
    <div className="soup-lobby">
      <div className="soup-lobby__controls panel">
        <Field label="Host model" hint="Answers your questions and judges your guesses. Local models run on this computer." className="soup-lobby__host">
          <select className="input" value={modelId ?? ''} disabled={groups.length === 0} onChange={(event) => setSoupHostModel(event.target.value)}>
            {groups.length === 0 && <option value="">No models yet: add a .gguf file or a provider</option>}
            {groups.map((group) => (
              <optgroup key={group.label} label={group.label}>
                {group.options.map((option) => (
                  <option key={option.id} value={option.id} disabled={option.disabledReason !== null} title={option.disabledReason ?? option.id}>
                    {option.label}
                    {option.disabledReason ? ` (${option.disabledReason})` : ''}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <button type="button" className="button button--primary soup-lobby__surprise" disabled={cannotStart || puzzles.length === 0} onClick={() => void start()}>
          {starting === '' ? 'Starting…' : 'Surprise me'}
        </button>
      </div>
      {error && (
        <p className="form__error" role="alert">
          Could not start the game: {error}
        </p>
      )}

      {/* Games to resume come first once there are any; until then the list ends the page. */}
      {hasGames && <SavedGames />}

      <section className="soup-lobby__section" aria-labelledby={listTitleId}>
        <h3 id={listTitleId} className="soup-lobby__heading">
          Puzzles
        </h3>
        {puzzlesStatus === 'error' && (
          <p className="form__error" role="alert">
            Could not load the puzzles: {puzzlesError}
          </p>
        )}
        {puzzles.length === 0 && puzzlesStatus !== 'error' && <p className="muted">{puzzlesStatus === 'ready' ? 'No puzzles yet: add some below.' : 'Loading…'}</p>}
        {puzzles.length > 0 && (
          <ul className="soup-puzzles" aria-label="Puzzles">
            {puzzles.map((puzzle) => (
              <PuzzleCard
                key={puzzle.id}
                puzzle={puzzle}
                starting={starting === puzzle.id}
                disabled={cannotStart}
                onStart={() => void start(puzzle.id)}
              />
            ))}
          </ul>
        )}
      </section>

      {!hasGames && <SavedGames />}
      <SoupImport />
    </div>
  );
}

function PuzzleCard({ puzzle, starting, disabled, onStart }: { puzzle: PuzzleSummary; starting: boolean; disabled: boolean; onStart: () => void }) {
  const titleId = useId();
  return (
    <li className="soup-puzzle" aria-labelledby={titleId}>
      <div className="soup-puzzle__head">
        <h4 id={titleId} className="soup-puzzle__title">
          {puzzle.title}
        </h4>
        <span className={`badge soup-difficulty soup-difficulty--${puzzle.difficulty}`}>{DIFFICULTY_LABELS[puzzle.difficulty]}</span>
      </div>
      <p className="soup-puzzle__teaser">{puzzle.surface}</p>
      <div className="soup-puzzle__foot">
        <span className="muted">
          {plural(puzzle.keyFactCount, 'key fact')}
          {puzzle.source === 'user' && ' · yours'}
        </span>
        <button type="button" className="button button--small" disabled={disabled} aria-describedby={titleId} onClick={onStart}>
          {starting ? 'Starting…' : 'Start'}
        </button>
      </div>
    </li>
  );
}

/** Saved games, the latest first; any can be opened again (a finished one to read its log and the story). */
function SavedGames() {
  const games = useAppStore((s) => s.soupGames);
  const status = useAppStore((s) => s.soupGamesStatus);
  const openSoupGame = useAppStore((s) => s.openSoupGame);
  const titleId = useId();

  return (
    <section className="soup-lobby__section" aria-labelledby={titleId}>
      <h3 id={titleId} className="soup-lobby__heading">
        Your games
      </h3>
      {games.length === 0 ? (
        <p className="muted">{status === 'error' ? 'Could not load your games.' : status === 'ready' ? 'No games yet: start one above.' : 'Loading…'}</p>
      ) : (
        <div className="table-scroll panel soup-games">
          <table className="table" aria-labelledby={titleId}>
            <thead>
              <tr>
                <th scope="col">Puzzle</th>
                <th scope="col">Status</th>
                <th scope="col">Questions</th>
                <th scope="col">Host</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {games.map((game) => (
                <tr key={game.id}>
                  <th scope="row" className="soup-games__title">
                    {game.title}
                  </th>
                  <td>
                    <span className={`badge soup-status-badge soup-status-badge--${game.status}`}>{STATUS_LABELS[game.status]}</span>
                  </td>
                  <td className="num">{game.questionsAsked}</td>
                  <td className="soup-games__model">{game.modelId}</td>
                  <td>{formatTime(game.updatedAt)}</td>
                  <td className="soup-games__actions">
                    <button type="button" className="button button--small" aria-label={`${game.status === 'playing' ? 'Resume' : 'Open'} ${game.title}`} onClick={() => void openSoupGame(game.id)}>
                      {game.status === 'playing' ? 'Resume' : 'Open'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
