import { useState } from 'react';
import { useAppStore } from '../../store/store-context';
import { SettingsIcon, ChatSettingsIcon } from '../common/icons';
import { CompareButton } from '../compare/compare-button';
import { ChatSettingsDialog } from './chat-settings-dialog';
import { ConnectionIndicator } from './connection-indicator';
import { ModelPicker } from './model-picker';
import { SettingsDialog } from './settings-dialog';
import { ThemeToggle } from './theme-toggle';

/** The open chat's title, and the controls that apply to every chat. */
export function AppHeader() {
  const title = useAppStore((s) =>
    s.activeChatId === null
      ? 'New conversation'
      : (s.chats.find((chat) => chat.id === s.activeChatId)?.title ?? s.activeChatTitle ?? ''),
  );
  const activeChatId = useAppStore((s) => s.activeChatId);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [chatSettingsOpen, setChatSettingsOpen] = useState(false);

  return (
    <header className="app-header">
      <h1 className="app-header__title" title={title}>
        {title}
      </h1>
      <div className="app-header__tools">
        {activeChatId !== null && (
          <button type="button" className="icon-button" title="Chat settings" onClick={() => setChatSettingsOpen(true)}>
            <ChatSettingsIcon />
            <span className="sr-only">Chat settings</span>
          </button>
        )}
        <CompareButton />
        <ModelPicker />
        <ThemeToggle />
        <button type="button" className="icon-button" title="Settings" onClick={() => setSettingsOpen(true)}>
          <SettingsIcon />
          <span className="sr-only">Settings</span>
        </button>
        <ConnectionIndicator />
      </div>
      <SettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      {activeChatId !== null && (
        <ChatSettingsDialog key={activeChatId} chatId={activeChatId} open={chatSettingsOpen} onClose={() => setChatSettingsOpen(false)} />
      )}
    </header>
  );
}
