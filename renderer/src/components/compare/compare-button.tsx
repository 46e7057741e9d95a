import { useState } from 'react';
import { COMPOSER_INPUT_ID } from '../../lib/dom-ids';
import { NEW_CHAT_KEY } from '../../store/compare-slice';
import { useAppStore } from '../../store/store-context';
import { CompareDialog } from './compare-dialog';
import { ColumnsIcon } from './compare-icon';

/** The chat header's "Compare": opens "Compare models"; starting turns compare mode on for the open chat. */
export function CompareButton() {
  const [open, setOpen] = useState(false);
  // A fresh form (preselected from the last setup) each time it opens; closing keeps it, so focus returns natively.
  const [session, setSession] = useState(0);
  const chatId = useAppStore((s) => s.activeChatId);
  const mode = useAppStore((s) => s.compareModes[s.activeChatId ?? NEW_CHAT_KEY] ?? null);
  const saved = useAppStore((s) => (s.activeChatId ? (s.chats.find((c) => c.id === s.activeChatId)?.settings?.compare ?? null) : null));
  const startCompareMode = useAppStore((s) => s.startCompareMode);

  return (
    <>
      <button
        type="button"
        className={`header-button${mode ? ' header-button--on' : ''}`}
        title="Send the next messages to several models side by side"
        onClick={() => {
          setSession((n) => n + 1);
          setOpen(true);
        }}
      >
        <ColumnsIcon />
        <span className="header-button__label">Compare</span>
      </button>
      <CompareDialog
        key={session}
        open={open}
        initial={mode ?? saved}
        onClose={() => setOpen(false)}
        onStart={(setup) => {
          startCompareMode(chatId, setup);
          setOpen(false);
          requestAnimationFrame(() => document.getElementById(COMPOSER_INPUT_ID)?.focus());
        }}
      />
    </>
  );
}
