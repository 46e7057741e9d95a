import { useAppStore } from '../../store/store-context';
import { Composer } from '../composer/composer';
import { MessageList } from './message-list';
import { NoModels } from './no-models';
import { NoticeList } from './notice-list';
import { Welcome } from './welcome';

function ConversationBody() {
  const activeChatId = useAppStore((s) => s.activeChatId);
  const status = useAppStore((s) => s.conversationStatus);
  const error = useAppStore((s) => s.conversationError);
  const isEmpty = useAppStore((s) => s.messages.length === 0);
  const refreshActiveChat = useAppStore((s) => s.refreshActiveChat);

  if (status === 'error') {
    return (
      <div className="empty-state">
        <h2 className="empty-state__title">This chat could not be opened</h2>
        <p className="empty-state__text">{error}</p>
        <button type="button" className="button" onClick={() => void refreshActiveChat()}>
          Try again
        </button>
      </div>
    );
  }
  if (isEmpty && status === 'loading') return <div className="loading" aria-label="Loading chat" role="status" />;
  if (isEmpty) return <Welcome />;
  // A fresh list per chat: scroll position and "stuck to bottom" start over.
  return <MessageList key={activeChatId ?? 'draft'} />;
}

/** The main pane: the conversation (or an empty state) above the composer. */
export function ChatView() {
  const noUsableModel = useAppStore(
    (s) =>
      s.modelsStatus === 'ready' &&
      !s.models.some((model) => model.problem === null) &&
      !Object.values(s.cloudModels).some((list) => list.length > 0),
  );
  const showingChat = useAppStore((s) => s.activeChatId !== null);

  return (
    <section className="chat-view" aria-label="Conversation">
      <NoticeList />
      {noUsableModel && !showingChat ? <NoModels /> : <ConversationBody />}
      {!(noUsableModel && !showingChat) && <Composer />}
    </section>
  );
}
