import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { focusComposer } from '../../lib/dom-ids';
import { groupChatsByDate } from '../../lib/group-chats-by-date';
import { useAppStore } from '../../store/store-context';
import { PlusIcon } from '../common/icons';
import { ChatListItem } from './chat-list-item';
import { ChatSearch } from './chat-search';

/** The chat list: New chat, search, and the chats grouped by when they were last used. */
export function ChatSidebar() {
  const chats = useAppStore((s) => s.chats);
  const chatsStatus = useAppStore((s) => s.chatsStatus);
  const query = useAppStore((s) => s.chatQuery);
  const activeChatId = useAppStore((s) => s.activeChatId);
  const answeringIds = useAppStore(useShallow((s) => Object.keys(s.streams)));
  const openChat = useAppStore((s) => s.openChat);
  const groups = useMemo(() => groupChatsByDate(chats), [chats]);

  const startNewChat = () => {
    void openChat(null);
    focusComposer();
  };

  return (
    <nav className="sidebar" aria-label="Chats">
      <div className="sidebar__brand">
        <span className="brand-name">Tandem</span>
      </div>
      <div className="sidebar__tools">
        <button type="button" className="button button--primary sidebar__new" onClick={startNewChat}>
          <PlusIcon />
          New chat
        </button>
        <ChatSearch />
      </div>
      <div className="sidebar__list">
        {groups.map((group) => (
          <section key={group.label} className="chat-group" aria-label={group.label}>
            <h2 className="chat-group__label">{group.label}</h2>
            <ul className="chat-group__items">
              {group.chats.map((chat) => (
                <ChatListItem
                  key={chat.id}
                  chat={chat}
                  active={chat.id === activeChatId}
                  answering={answeringIds.includes(chat.id)}
                />
              ))}
            </ul>
          </section>
        ))}
        {chatsStatus === 'ready' && chats.length === 0 && (
          <p className="sidebar__empty">
            {query.trim() ? `No chats match “${query.trim()}”.` : 'No chats yet. Your conversations will appear here.'}
          </p>
        )}
      </div>
    </nav>
  );
}
