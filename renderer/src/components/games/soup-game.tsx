import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { FactVerdict, GameEvent, GameView } from '../../../../shared/ipc/routes/soup';
import { formatTime } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { ANSWER_LABELS, STATUS_LABELS, factsFound, statusLine } from './soup-format';

type Confirming = 'give-up' | 'reveal' | null;

const OUTCOME: Record<Exclude<GameView['status'], 'playing'>, string> = {
  solved: 'Solved! You found every key fact.',
  'gave-up': 'You gave up.',
  'out-of-questions': 'Out of questions.',
};

/** Playing one puzzle: the story, the log of questions, hints and guesses, and the actions. */
export function SoupGame() {
  const game = useAppStore((s) => s.soupGame)!;
  const busy = useAppStore((s) => s.soupBusy);
  const pending = useAppStore((s) => s.soupPendingQuestion);
  const error = useAppStore((s) => s.soupError);
  const closeSoupGame = useAppStore((s) => s.closeSoupGame);
  const askSoup = useAppStore((s) => s.askSoup);
  const soupHint = useAppStore((s) => s.soupHint);
  const soupGuess = useAppStore((s) => s.soupGuess);
  const soupGiveUp = useAppStore((s) => s.soupGiveUp);
  const soupReveal = useAppStore((s) => s.soupReveal);
  const clearSoupError = useAppStore((s) => s.clearSoupError);
  const [question, setQuestion] = useState('');
  const [guessOpen, setGuessOpen] = useState(false);
  const [guess, setGuess] = useState('');
  const [confirming, setConfirming] = useState<Confirming>(null);
  const titleId = useId();
  const askId = useId();
  const guessId = useId();
  const hiddenTitleId = useId();
  const questionInput = useRef<HTMLInputElement>(null);
  const guessInput = useRef<HTMLTextAreaElement>(null);
  const guessButton = useRef<HTMLButtonElement>(null);
  const logEnd = useRef<HTMLDivElement>(null);
  const revealed = useRef<HTMLElement>(null);

  const playing = game.status === 'playing';
  const hintsLeft = game.hintsTotal - game.hintsUsed;

  // The newest line of the log stays in sight as the game goes on.
  useEffect(() => {
    logEnd.current?.scrollIntoView?.({ block: 'nearest' });
  }, [game.events.length, pending]);

  // The story, once shown, is where the eye should go.
  const hiddenShown = game.hidden !== null;
  useEffect(() => {
    if (hiddenShown) revealed.current?.scrollIntoView?.({ block: 'start' });
  }, [hiddenShown]);

  useEffect(() => {
    if (guessOpen) guessInput.current?.focus();
  }, [guessOpen]);

  const ask = async (event: FormEvent) => {
    event.preventDefault();
    if (!playing || busy || !question.trim()) return;
    if (await askSoup(question)) setQuestion('');
    questionInput.current?.focus();
  };

  const submitGuess = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy || !guess.trim()) return;
    if (await soupGuess(guess)) {
      setGuess('');
      setGuessOpen(false);
      guessButton.current?.focus();
    }
  };

  const onGuessKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submitGuess();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setGuessOpen(false);
      guessButton.current?.focus();
    }
  };

  return (
    <article className="soup-game" aria-labelledby={titleId} aria-busy={busy !== null}>
      <div className="soup-game__bar">
        <button type="button" className="button button--small" onClick={closeSoupGame}>
          ← All puzzles
        </button>
        <h3 id={titleId} className="soup-game__title">
          {game.title}
        </h3>
        <span className={`badge soup-status-badge soup-status-badge--${game.status}`}>{STATUS_LABELS[game.status]}</span>
        <span className="muted soup-game__host" title="Host model">
          Host: {game.modelId}
        </span>
      </div>

      <section className="soup-surface" aria-label="The story">
        <p className="soup-surface__text">{game.surface}</p>
      </section>

      <p className="soup-game__status">{statusLine(game)}</p>
      {game.status !== 'playing' && (
        <p className={`soup-outcome soup-outcome--${game.status}`} role="status">
          {OUTCOME[game.status]}
          {game.hidden === null && ' Reveal the story to see what happened.'}
        </p>
      )}

      <div className="soup-log-wrap">
        <ol className="soup-log" aria-label="Game log" aria-live="polite" aria-relevant="additions">
          {game.events.map((event, i) => (
            <LogEntry key={i} event={event} game={game} guessNumber={guessNumberAt(game.events, i)} />
          ))}
          {busy === 'ask' && pending && (
            <li className="soup-entry soup-entry--ask soup-entry--pending">
              <span className="soup-entry__number">Q{game.questionsAsked + 1}</span>
              <span className="soup-entry__question">{pending}</span>
              <span className="badge soup-answer soup-answer--pending" role="status">
                <span className="badge__pulse" aria-hidden="true" />
                The host is thinking…
              </span>
            </li>
          )}
        </ol>
        {game.events.every((event) => event.type === 'start') && !pending && (
          <p className="muted soup-log__empty">No questions yet. Ask anything that can be answered with yes or no.</p>
        )}
        <div ref={logEnd} />
      </div>

      <form className="soup-ask" onSubmit={(event) => void ask(event)}>
        <label className="field__label soup-ask__label" htmlFor={askId}>
          Ask a question
        </label>
        <div className="soup-ask__row">
          <input
            ref={questionInput}
            id={askId}
            type="text"
            className="input"
            value={question}
            maxLength={500}
            autoComplete="off"
            disabled={!playing}
            readOnly={busy === 'ask'}
            placeholder={playing ? 'Did he know the man before?' : 'The game is over.'}
            onChange={(event) => setQuestion(event.target.value)}
          />
          <button type="submit" className="button button--primary" disabled={!playing || busy !== null || !question.trim()}>
            {busy === 'ask' ? 'Asking…' : 'Ask'}
          </button>
        </div>
      </form>

      <div className="soup-actions" role="group" aria-label="Game actions">
        <button type="button" className="button" disabled={!playing || busy !== null || hintsLeft <= 0} title={`${hintsLeft} of ${game.hintsTotal} hints left`} onClick={() => void soupHint()}>
          {busy === 'hint' ? 'Hinting…' : 'Hint'}
        </button>
        <button
          ref={guessButton}
          type="button"
          className="button"
          aria-expanded={guessOpen}
          aria-controls={guessOpen ? guessId : undefined}
          disabled={!playing}
          onClick={() => setGuessOpen((open) => !open)}
        >
          Guess
        </button>
        <button type="button" className="button" disabled={!playing || busy !== null} onClick={() => setConfirming('give-up')}>
          Give up
        </button>
        <button type="button" className="button" disabled={busy !== null || game.hidden !== null} onClick={() => setConfirming('reveal')}>
          {busy === 'reveal' ? 'Revealing…' : 'Reveal'}
        </button>
      </div>

      {guessOpen && playing && (
        <form id={guessId} className="soup-guess panel" aria-label="Guess" onSubmit={(event) => void submitGuess(event)}>
          <label className="field__label" htmlFor={`${guessId}-text`}>
            Your guess
          </label>
          <textarea
            ref={guessInput}
            id={`${guessId}-text`}
            className="input input--multiline"
            rows={4}
            maxLength={4000}
            value={guess}
            readOnly={busy === 'guess'}
            placeholder="Tell the whole story as you think it happened."
            onChange={(event) => setGuess(event.target.value)}
            onKeyDown={onGuessKeyDown}
          />
          <div className="soup-guess__actions">
            <span className="muted">
              The host judges it key fact by key fact. <kbd>Ctrl</kbd> + <kbd>Enter</kbd> submits.
            </span>
            <button type="button" className="button" onClick={() => setGuessOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="button button--primary" disabled={busy !== null || !guess.trim()}>
              {busy === 'guess' ? 'Judging…' : 'Submit guess'}
            </button>
          </div>
        </form>
      )}

      {error && (
        <div className="notice notice--error soup-error" role="alert">
          <span>{error}</span>
          <button type="button" className="link-button" onClick={clearSoupError}>
            Dismiss
          </button>
        </div>
      )}

      {game.hidden !== null && (
        <section ref={revealed} className="soup-reveal panel" aria-labelledby={hiddenTitleId}>
          <h4 id={hiddenTitleId} className="soup-reveal__title">
            The hidden story
          </h4>
          <p className="soup-reveal__story">{game.hidden}</p>
          <h5 className="soup-reveal__subtitle">
            Key facts: {factsFound(game)} of {game.keyFactCount} found
          </h5>
          <ol className="soup-reveal__facts" aria-label="Key facts">
            {game.facts.map((fact, index) => {
              const at = game.factsFoundAt[index] ?? null;
              return (
                <li key={index} className={`soup-fact${at ? ' soup-fact--found' : ''}`}>
                  <span className="soup-fact__mark" aria-hidden="true">
                    {at ? '✓' : '✗'}
                  </span>
                  <span className="soup-fact__text">{fact ?? `Key fact ${index + 1}`}</span>
                  <span className="soup-fact__when">{at ? `found ${formatTime(at)}` : 'not found'}</span>
                </li>
              );
            })}
          </ol>
        </section>
      )}

      <ConfirmDialog
        open={confirming === 'reveal'}
        title="Reveal the story?"
        confirmLabel="Reveal"
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          setConfirming(null);
          void soupReveal();
        }}
      >
        <p>{playing ? 'This ends the game (as given up) and shows the hidden story and every key fact.' : 'This shows the hidden story and every key fact.'}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'give-up'}
        title="Give up this game?"
        confirmLabel="Give up"
        danger
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          setConfirming(null);
          void soupGiveUp();
        }}
      >
        <p>No more questions or guesses; you can still reveal the story.</p>
      </ConfirmDialog>
    </article>
  );
}

/** 0-based number of the guess at `position` among the game's guesses (what soup.dispute calls `guess`). */
function guessNumberAt(events: GameEvent[], position: number): number {
  let n = 0;
  for (let i = 0; i < position; i++) if (events[i]!.type === 'guess') n++;
  return n;
}

function LogEntry({ event, game, guessNumber }: { event: GameEvent; game: GameView; guessNumber: number }) {
  switch (event.type) {
    case 'start':
      return null;
    case 'ask': {
      const number = game.events.slice(0, game.events.indexOf(event) + 1).filter((e) => e.type === 'ask').length;
      return (
        <li className="soup-entry soup-entry--ask">
          <span className="soup-entry__number">Q{number}</span>
          <span className="soup-entry__question">{event.question}</span>
          <span className={`badge soup-answer soup-answer--${event.answer}`}>{ANSWER_LABELS[event.answer]}</span>
        </li>
      );
    }
    case 'hint':
      return (
        <li className="soup-entry soup-entry--hint">
          <span className="soup-entry__number">
            Hint {event.index + 1} of {game.hintsTotal}
          </span>
          <span className="soup-entry__text">{event.text}</span>
        </li>
      );
    case 'guess':
      return <GuessEntry event={event} game={game} guessNumber={guessNumber} />;
    case 'dispute':
      return (
        <li className="soup-entry soup-entry--note">
          <span className="soup-entry__text">
            You said key fact {event.index + 1} counts (guess {event.guess + 1}).
          </span>
        </li>
      );
    case 'give-up':
      return (
        <li className="soup-entry soup-entry--note">
          <span className="soup-entry__text">You gave up.</span>
        </li>
      );
    case 'reveal':
      return (
        <li className="soup-entry soup-entry--note">
          <span className="soup-entry__text">The story was revealed.</span>
        </li>
      );
  }
}

const BY_LABELS: Record<FactVerdict['by'], string> = {
  judge: 'the judge',
  lexical: 'word match',
  both: 'judge and word match',
  disputed: 'you said it counts',
};

function GuessEntry({ event, game, guessNumber }: { event: Extract<GameEvent, { type: 'guess' }>; game: GameView; guessNumber: number }) {
  const soupDispute = useAppStore((s) => s.soupDispute);
  const busy = useAppStore((s) => s.soupBusy);
  const disputed = new Set(
    game.events.filter((e): e is Extract<GameEvent, { type: 'dispute' }> => e.type === 'dispute' && e.guess === guessNumber).map((e) => e.index),
  );
  const counts = (verdict: FactVerdict) => verdict.found || disputed.has(verdict.index);
  const found = event.facts.filter(counts).length;
  const total = event.facts.length || game.keyFactCount;
  const verdicts = [...event.facts].sort((a, b) => a.index - b.index);

  return (
    <li className={`soup-entry soup-entry--guess${event.solved ? ' soup-entry--solved' : ''}`}>
      <span className="soup-entry__number">Guess {guessNumber + 1}</span>
      <div className="soup-entry__body">
        <blockquote className="soup-guess__text">{event.text}</blockquote>
        <p className="soup-verdict__summary">
          {found} of {total} key facts found{event.solved ? ' · solved!' : ''}
        </p>
        <ul className="soup-verdict" aria-label={`Verdict on guess ${guessNumber + 1}`}>
          {verdicts.map((verdict) => {
            const fact = game.facts[verdict.index] ?? null;
            const name = `Key fact ${verdict.index + 1}`;
            if (counts(verdict)) {
              return (
                <li key={verdict.index} className="soup-verdict__fact soup-verdict__fact--found">
                  <span className="soup-fact__mark" aria-hidden="true">
                    ✓
                  </span>
                  <span>
                    {fact ?? name} <span className="muted">({disputed.has(verdict.index) ? BY_LABELS.disputed : BY_LABELS[verdict.by]})</span>
                  </span>
                </li>
              );
            }
            const foundSince = game.factsFoundAt[verdict.index] != null;
            return (
              <li key={verdict.index} className="soup-verdict__fact">
                <span className="soup-fact__mark" aria-hidden="true">
                  ✗
                </span>
                <span>
                  {fact ? `${name}: ${fact}` : name} <span className="muted">— not found{foundSince ? ' here (found elsewhere)' : ''}</span>
                </span>
                {!foundSince && game.status === 'playing' && (
                  <button
                    type="button"
                    className="button button--small soup-verdict__dispute"
                    aria-description={`${name} of guess ${guessNumber + 1}`}
                    disabled={busy !== null}
                    onClick={() => void soupDispute(guessNumber, verdict.index)}
                  >
                    I think that counts
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </li>
  );
}
