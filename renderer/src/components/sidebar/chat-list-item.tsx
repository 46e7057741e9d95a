import { memo, useEffect, useRef, useState } from 'react';
import type { ChatSummary } from '../../../../shared/ipc/domain';
import { downloadFile } from '../../lib/download-file';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { MoreIcon } from '../common/icons';
import { MenuButton } from '../common/menu-button';
import { ChatTitleEditor } from './chat-title-editor';

interface ChatListItemProps {
  chat: ChatSummary;
  active: boolean;
  answering: boolean;
}

/** One chat in the sidebar: open it, or rename, export or delete it from its menu. */
export const ChatListItem = memo(function ChatListItem({ chat, active, answering }: ChatListItemProps) {
  const openChat = useAppStore((s) => s.openChat);
  const renameChat = useAppStore((s) => s.renameChat);
  const deleteChat = useAppStore((s) => s.deleteChat);
  const exportChat = useAppStore((s) => s.exportChat);
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const openRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);

  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      openRef.current?.focus();
    }
  }, [editing]);

  const stopEditing = () => {
    refocus.current = true;
    setEditing(false);
  };

  const exportAs = async (format: 'markdown' | 'json') => {
    const file = await exportChat(chat.id, format);
    if (file) downloadFile(file);
  };

  return (
    <li className={`chat-item${active ? ' is-active' : ''}`}>
      {editing ? (
        <ChatTitleEditor
          initial={chat.title}
          onSave={(title) => {
            stopEditing();
            void renameChat(chat.id, title);
          }}
          onCancel={stopEditing}
        />
      ) : (
        <button
          ref={openRef}
          type="button"
          className="chat-item__open"
          aria-current={active ? 'page' : undefined}
          title={chat.title}
          onClick={() => void openChat(chat.id)}
          onDoubleClick={() => setEditing(true)}
        >
          <span className="chat-item__title">{chat.title}</span>
          {answering && (
            <span className="chat-item__live" aria-hidden="true" title="Answering…">
              <span />
            </span>
          )}
        </button>
      )}
      {!editing && (
        <MenuButton
          label={`Actions for ${chat.title}`}
          className="icon-button chat-item__menu"
          icon={<MoreIcon />}
          items={[
            { label: 'Rename', onSelect: () => setEditing(true) },
            { label: 'Export as Markdown', onSelect: () => void exportAs('markdown') },
            { label: 'Export as JSON', onSelect: () => void exportAs('json') },
            { label: 'Delete', danger: true, onSelect: () => setConfirmingDelete(true) },
          ]}
        />
      )}
      <ConfirmDialog
        open={confirmingDelete}
        title="Delete this chat?"
        confirmLabel="Delete"
        danger
        onCancel={() => setConfirmingDelete(false)}
        onConfirm={() => {
          setConfirmingDelete(false);
          void deleteChat(chat.id);
        }}
      >
        <p>
          “{chat.title}” and its {chat.messageCount === 1 ? 'message' : `${chat.messageCount} messages`} will be deleted. This
          cannot be undone.
        </p>
      </ConfirmDialog>
    </li>
  );
});
