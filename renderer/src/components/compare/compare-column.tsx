import type { ChatMessage } from '../../../../shared/ipc/domain';
import type { AnswerStats } from '../../../../shared/ipc/stream-parts';
import type { ColumnWait } from '../../store/compare-slice';
import { StopIcon } from '../common/icons';
import { CitationList } from '../chat/citation-list';
import { CopyButton } from '../chat/copy-button';
import { MessageMarkdown } from '../chat/message-markdown';
import { MessageStatusBadge } from '../chat/message-status-badge';
import { describeAnswerStats, formatAnswerStats } from './compare-stats';

/** One column as the group shows it: saved, or live while the compare streams. */
export interface ColumnView {
  column: number;
  label: string;
  message: ChatMessage;
  stats: AnswerStats | null;
  wait: ColumnWait | null;
  /** Still streaming. */
  running: boolean;
  /** Can be stopped on its own (a live column of this window's compare). */
  stoppable: boolean;
  stopping: boolean;
}

interface CompareColumnProps {
  view: ColumnView;
  /** The model's name, or null while blind mode hides it. */
  modelName: string | null;
  autoPicked: boolean;
  winner: boolean;
  chosen: boolean;
  /** Every column has ended: the vote and "Continue with this answer" are offered. */
  settled: boolean;
  onStop: () => void;
  /** Null for a failed column: it cannot be the best answer. */
  onBest: (() => void) | null;
  onContinue: (() => void) | null;
}

/** Why a column has no answer, leading with what a person should know. */
function columnErrorTitle(code: string | undefined): string {
  switch (code) {
    case 'LOCAL_ONLY':
      return 'Not sent: this chat’s content must stay on this computer, so this cloud model was not asked.';
    case 'BUDGET_EXCEEDED':
      return 'Not sent: this request could break a spending cap.';
    case 'MODEL_LOAD_FAILED':
      return 'The model could not be loaded.';
    case 'MODEL_NOT_FOUND':
      return 'The model was not found.';
    case 'NO_MODEL_AVAILABLE':
      return 'No model could take this request.';
    default:
      return 'This answer failed.';
  }
}

function WaitNote({ wait }: { wait: ColumnWait }) {
  return (
    <p className="compare-column__wait" role="note">
      <span className="compare-column__spinner" aria-hidden="true" />
      {/* The backend's message says why ("Waiting for memory", "Waiting for its turn on this computer"). */}
      <strong>{wait.message || (wait.wait === 'memory' ? 'Waiting for memory' : 'Waiting for its turn')}</strong>
    </p>
  );
}

/** One answer of a compare: its label (and model), live stats, text, error, and its own Stop / vote / continue. */
export function CompareColumn({ view, modelName, autoPicked, winner, chosen, settled, onStop, onBest, onContinue }: CompareColumnProps) {
  const { message, stats, wait, running } = view;
  const { text, status, error } = message;
  return (
    <section
      className={`compare-column${winner ? ' compare-column--winner' : ''}${chosen ? ' compare-column--chosen' : ''}`}
      aria-label={`Answer ${view.label}`}
      aria-busy={running}
    >
      <header className="compare-column__header">
        <span className="compare-column__label" aria-hidden="true">
          {view.label}
        </span>
        <span className={`compare-column__model${modelName ? '' : ' compare-column__model--hidden'}`}>{modelName ?? 'Model hidden until you vote'}</span>
        {autoPicked && modelName && (
          <span className="badge badge--auto" title="Auto picked this model">
            Auto
          </span>
        )}
        {winner && <span className="badge badge--winner">Best</span>}
        {chosen && <span className="badge badge--chosen">Chat continues here</span>}
        <MessageStatusBadge status={status} />
        {running && view.stoppable && (
          <button type="button" className="compare-column__stop" disabled={view.stopping} onClick={onStop} title={`Stop answer ${view.label}; the others go on`}>
            <StopIcon />
            Stop
          </button>
        )}
      </header>
      {stats && (
        <p className="compare-column__stats" title={describeAnswerStats(stats)}>
          {formatAnswerStats(stats)}
        </p>
      )}
      {wait && running && !text && <WaitNote wait={wait} />}
      <div className="compare-column__body">
        {text ? (
          <MessageMarkdown text={text} citations={message.citations} />
        ) : running ? (
          wait ? null : (
            <span className="typing" role="img" aria-label="Waiting for the first words">
              <span />
              <span />
              <span />
            </span>
          )
        ) : status !== 'error' ? (
          <p className="message__empty">No text.</p>
        ) : null}
      </div>
      {message.citations && message.citations.length > 0 && <CitationList citations={message.citations} />}
      {status === 'error' && (
        <div className="message__error" role="alert">
          <strong>{columnErrorTitle(error?.code)}</strong>
          {error && (
            <span>
              <code className="message__error-code">{error.code}</code> {error.message}
            </span>
          )}
        </div>
      )}
      {settled && (
        <div className="compare-column__actions">
          {onBest && (
            <button type="button" className="button button--small compare-column__best" aria-pressed={winner} onClick={onBest}>
              Best answer
            </button>
          )}
          {onContinue && (
            <button type="button" className="button button--small" onClick={onContinue}>
              Continue with this answer
            </button>
          )}
          {text && <CopyButton text={text} label={`Copy answer ${view.label}`} className="compare-column__copy" />}
        </div>
      )}
    </section>
  );
}
