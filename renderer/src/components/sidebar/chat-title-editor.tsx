import { useRef, useState } from 'react';

interface ChatTitleEditorProps {
  initial: string;
  onSave: (title: string) => void;
  onCancel: () => void;
}

/** Inline rename: Enter (or leaving the field) saves, Escape cancels. */
export function ChatTitleEditor({ initial, onSave, onCancel }: ChatTitleEditorProps) {
  const [value, setValue] = useState(initial);
  const settled = useRef(false);

  const finish = (save: boolean) => {
    if (settled.current) return;
    settled.current = true;
    const title = value.trim();
    if (save && title && title !== initial) onSave(title);
    else onCancel();
  };

  return (
    <input
      className="chat-item__edit"
      aria-label="Chat title"
      value={value}
      maxLength={200}
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setValue(event.target.value)}
      onBlur={() => finish(true)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          finish(true);
        } else if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          finish(false);
        }
      }}
    />
  );
}
