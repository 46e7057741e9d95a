import type { RouteDecision } from '../../../../shared/ipc/routes/routing';
import { useAppStore } from '../../store/store-context';
import { ShuffleIcon, ThumbDownIcon, ThumbUpIcon } from '../common/icons';
import { MenuButton } from '../common/menu-button';

/** "Good answer" / "Bad answer": toggle buttons whose pressed state is the saved vote; pressing the pressed one takes it back. */
export function VoteButtons({ messageId, vote }: { messageId: string; vote: 'good' | 'bad' | null }) {
  const chatId = useAppStore((s) => s.activeChatId);
  const voteMessage = useAppStore((s) => s.voteMessage);
  if (!chatId) return null;
  const cast = (choice: 'good' | 'bad') => void voteMessage(chatId, messageId, vote === choice ? null : choice);
  return (
    <div className="vote" role="group" aria-label="Rate this answer">
      <button type="button" className="icon-button icon-button--small vote__button" aria-pressed={vote === 'good'} title="Good answer" onClick={() => cast('good')}>
        <ThumbUpIcon />
        <span className="sr-only">Good answer</span>
      </button>
      <button type="button" className="icon-button icon-button--small vote__button" aria-pressed={vote === 'bad'} title="Bad answer" onClick={() => cast('bad')}>
        <ThumbDownIcon />
        <span className="sr-only">Bad answer</span>
      </button>
    </div>
  );
}

/** "Use another model": Auto's other candidates; picking one asks the same question again with that model. */
export function UseAnotherModel({ messageId, decision, answeredModelId }: { messageId: string; decision: RouteDecision; answeredModelId: string | null }) {
  const answerAgainWith = useAppStore((s) => s.answerAgainWith);
  const busy = useAppStore((s) => (s.activeChatId ? s.streams[s.activeChatId] !== undefined : false));
  const others = decision.candidates.filter((c) => c.modelId !== answeredModelId);
  if (others.length === 0 || busy) return null;
  return (
    <MenuButton
      label="Use another model"
      portal
      className="icon-button icon-button--small"
      icon={<ShuffleIcon />}
      items={others.map((candidate) => ({
        label: candidate.excluded ? `${candidate.modelId} (excluded: ${candidate.excluded.reason})` : candidate.modelId,
        onSelect: () => void answerAgainWith(messageId, candidate.modelId),
      }))}
    />
  );
}
