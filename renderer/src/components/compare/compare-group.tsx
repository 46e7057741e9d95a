import { memo, useId, useState } from 'react';
import type { ChatMessage } from '../../../../shared/ipc/domain';
import type { CompareVerdict } from '../../../../shared/ipc/routes/compare';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import type { LiveCompare } from '../../store/compare-slice';
import { useAppStore } from '../../store/store-context';
import { answeringModelId } from '../../store/stream-reducer';
import { CompareColumn, type ColumnView } from './compare-column';
import { useModelName } from './model-options';

function savedViews(messages: readonly ChatMessage[]): ColumnView[] {
  return messages.map((message, index) => ({
    column: message.compare?.column ?? index,
    label: message.compare?.label ?? String.fromCharCode(65 + index),
    message,
    stats: message.compare?.stats ?? null,
    wait: null,
    running: message.status === 'streaming',
    stoppable: false,
    stopping: false,
  }));
}

function liveViews(live: LiveCompare): ColumnView[] {
  return live.columns.map((c) => ({
    column: c.column,
    label: c.label,
    message: c.message,
    stats: c.stats,
    wait: c.wait,
    running: !c.ended,
    stoppable: true,
    stopping: c.stopping,
  }));
}

function verdictText(verdict: CompareVerdict, views: readonly ColumnView[]): string {
  if (verdict === 'tie') return 'You called it a tie.';
  if (verdict === 'all-bad') return 'You marked every answer bad.';
  const winner = views.find((v) => v.column === verdict);
  return winner ? `You picked answer ${winner.label} as the best.` : 'Voted.';
}

interface CompareGroupProps {
  groupId: string;
  /** The saved column messages, in column order. */
  messages: ChatMessage[];
}

/**
 * The answers of one compare side by side: live while they stream (each with
 * its stats and own Stop), then the vote ("Best answer", "Tie", "All bad")
 * and "Continue with this answer", after which the other columns fold away.
 */
function CompareGroupView({ groupId, messages }: CompareGroupProps) {
  const live = useAppStore((s) => s.liveCompares[groupId]);
  const voteCompare = useAppStore((s) => s.voteCompare);
  const chooseCompareColumn = useAppStore((s) => s.chooseCompareColumn);
  const stopCompareColumn = useAppStore((s) => s.stopCompareColumn);
  const chatBusy = useAppStore((s) => (s.activeChatId ? s.streams[s.activeChatId] !== undefined : false));
  const modelName = useModelName();
  const [showOthers, setShowOthers] = useState(false);
  const [sending, setSending] = useState(false);
  const othersId = useId();

  const views = live ? liveViews(live) : savedViews(messages);
  // The vote and the choice are saved on the messages (the live copies never carry them).
  const saved = new Map(messages.map((m) => [m.id, m.compare]));
  const verdict = messages.find((m) => m.compare?.verdict !== undefined)?.compare?.verdict;
  const chosenColumn = messages.find((m) => m.compare?.chosen)?.compare?.column ?? null;
  const blind = views.some((v) => (saved.get(v.message.id) ?? v.message.compare)?.blind);
  const revealed = !blind || verdict !== undefined || chosenColumn !== null;
  const settled = views.every((v) => !v.running);
  const visible = chosenColumn !== null && !showOthers ? views.filter((v) => v.column === chosenColumn) : views;

  const act = async (action: () => Promise<boolean>) => {
    if (sending) return;
    setSending(true);
    await action();
    setSending(false);
  };
  const vote = (next: CompareVerdict) => void act(() => voteCompare(groupId, next));

  return (
    <section className={`compare${visible.length === 1 ? ' compare--single' : ''}`} aria-label={`Compare of ${views.length} answers`}>
      <div
        id={othersId}
        className="compare__columns"
        style={{ ['--compare-columns' as string]: String(visible.length) }}
      >
        {visible.map((view) => {
          const answered = answeringModelId(view.message) ?? view.message.modelId;
          return (
            <CompareColumn
              key={view.message.id}
              view={view}
              modelName={revealed && answered ? modelName(answered) : null}
              autoPicked={view.message.modelId === AUTO_MODEL_ID || view.message.route !== undefined}
              winner={verdict === view.column}
              chosen={chosenColumn === view.column}
              settled={settled}
              onStop={() => void stopCompareColumn(groupId, view.column)}
              onBest={view.message.status === 'error' ? null : () => vote(view.column)}
              onContinue={chosenColumn === view.column || chatBusy || view.message.status === 'error' ? null : () => void act(() => chooseCompareColumn(groupId, view.column))}
            />
          );
        })}
      </div>
      <div className="compare__footer">
        {settled && (
          <div className="compare__verdict" role="group" aria-label="Vote on these answers">
            <button type="button" className="button button--small" aria-pressed={verdict === 'tie'} onClick={() => vote('tie')}>
              Tie
            </button>
            <button type="button" className="button button--small" aria-pressed={verdict === 'all-bad'} onClick={() => vote('all-bad')}>
              All bad
            </button>
            <span className="compare__verdict-text" role="status">
              {verdict !== undefined ? verdictText(verdict, views) : 'Which answer is best? Your vote teaches Auto.'}
            </span>
          </div>
        )}
        {chosenColumn !== null && views.length > 1 && (
          <button type="button" className="chip-button" aria-expanded={showOthers} aria-controls={othersId} onClick={() => setShowOthers((o) => !o)}>
            {showOthers ? 'Hide the other answers' : `Show the other answers (${views.length - 1})`}
          </button>
        )}
      </div>
    </section>
  );
}

/** Re-renders when its messages change (by identity) or its live compare does. */
export const CompareGroup = memo(
  CompareGroupView,
  (before, after) => before.groupId === after.groupId && before.messages.length === after.messages.length && before.messages.every((m, i) => m === after.messages[i]),
);
