import { focusComposer } from '../../lib/dom-ids';
import { useAppStore } from '../../store/store-context';
import { SparkIcon } from '../common/icons';

const SUGGESTIONS = [
  'Tell me a short story about a brave little robot',
  'Explain how a rainbow forms, simply',
  'Write a haiku about a quiet morning',
];

/** The start of a new chat, and the friendly first screen when there are no chats yet. */
export function Welcome() {
  const hasChats = useAppStore((s) => s.chats.length > 0 || s.chatQuery.trim() !== '');
  const modelName = useAppStore((s) => s.models.find((model) => model.id === s.selectedModelId)?.name ?? null);
  const setDraft = useAppStore((s) => s.setDraft);

  return (
    <div className="empty-state welcome">
      <div className="empty-state__icon" aria-hidden="true">
        <SparkIcon width={28} height={28} />
      </div>
      <h2 className="empty-state__title">{hasChats ? 'Start a new conversation' : 'Welcome to Tandem'}</h2>
      <p className="empty-state__text">
        {hasChats
          ? 'Ask anything. Your chats stay on this computer.'
          : 'No chats yet. Type a message below to start your first one — everything runs locally on this computer.'}
        {modelName && (
          <>
            {' '}
            You are talking to <strong>{modelName}</strong>.
          </>
        )}
      </p>
      <ul className="suggestions" aria-label="Suggestions">
        {SUGGESTIONS.map((text) => (
          <li key={text}>
            <button
              type="button"
              className="suggestion"
              onClick={() => {
                setDraft(text);
                focusComposer();
              }}
            >
              {text}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
