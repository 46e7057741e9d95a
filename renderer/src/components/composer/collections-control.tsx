import { memo, useEffect, useId, useRef, useState } from 'react';
import { useAppStore } from '../../store/store-context';
import { CloseIcon, LibraryIcon } from '../common/icons';

const NONE: readonly string[] = [];

/** The collections the open chat answers from (the draft's before the chat exists). */
function useAttachedIds(): readonly string[] {
  return useAppStore((s) =>
    s.activeChatId === null ? s.draftCollectionIds : (s.chats.find((chat) => chat.id === s.activeChatId)?.settings?.collectionIds ?? NONE),
  );
}

/**
 * "Collections": a popover of checkboxes, one per collection, that attaches
 * them to the chat (saved in its settings), and the attached ones as chips.
 * Escape or Tab out closes the popover; focus returns to the button on Escape.
 * Memoized: the composer re-renders on every keystroke, this does not need to.
 */
export const CollectionsControl = memo(function CollectionsControl() {
  const collections = useAppStore((s) => s.collections);
  const activeChatId = useAppStore((s) => s.activeChatId);
  const setChatCollections = useAppStore((s) => s.setChatCollections);
  const showPage = useAppStore((s) => s.showPage);
  const saved = useAttachedIds();
  const [pending, setPending] = useState<readonly string[] | null>(null);
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popoverRef = useRef<HTMLDivElement>(null);
  const popoverId = useId();
  const attached = pending ?? saved;

  useEffect(() => {
    if (!open) return;
    popoverRef.current?.querySelector<HTMLElement>('input, button')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!popoverRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const save = async (next: string[]) => {
    setPending(next);
    await setChatCollections(activeChatId, next);
    setPending(null);
  };

  const toggle = (id: string, on: boolean) => {
    const next = on ? [...attached.filter((x) => x !== id), id] : attached.filter((x) => x !== id);
    void save(next);
  };

  const names = new Map(collections.map((c) => [c.id, c.name]));

  return (
    <div className="collections-control">
      <div className="collections-control__anchor">
        <button
          ref={buttonRef}
          type="button"
          className={`chip-button${attached.length > 0 ? ' is-active' : ''}`}
          aria-expanded={open}
          aria-controls={open ? popoverId : undefined}
          title="Answer from document collections"
          onClick={() => setOpen((was) => !was)}
        >
          <LibraryIcon />
          Collections
        </button>
        {open && (
          <div
            ref={popoverRef}
            id={popoverId}
            className="collections-popover"
            role="group"
            aria-label="Collections for this chat"
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                event.stopPropagation();
                setOpen(false);
                buttonRef.current?.focus();
              }
            }}
            onBlur={(event) => {
              const next = event.relatedTarget as Node | null;
              if (next && !popoverRef.current?.contains(next) && !buttonRef.current?.contains(next)) setOpen(false);
            }}
          >
            <p className="collections-popover__title">Answer from</p>
            {collections.length === 0 ? (
              <div className="collections-popover__empty">
                <p className="muted">No collections yet.</p>
                <button type="button" className="button button--small" onClick={() => showPage('documents')}>
                  Add a folder on the Documents page
                </button>
              </div>
            ) : (
              <ul className="collections-popover__list">
                {collections.map((collection) => (
                  <li key={collection.id}>
                    <label className="checkbox collections-popover__option">
                      <input type="checkbox" aria-label={collection.name} checked={attached.includes(collection.id)} onChange={(event) => toggle(collection.id, event.target.checked)} />
                      <span className="collections-popover__option-name">{collection.name}</span>
                      <span className="muted">{collection.files} files</span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            <p className="field__hint collections-popover__hint">Answers quote the matching passages and list them as sources.</p>
          </div>
        )}
      </div>
      {attached.length > 0 && (
        <ul className="collection-chips" aria-label="Attached collections">
          {attached.map((id) => {
            const name = names.get(id) ?? 'Removed collection';
            return (
              <li key={id} className="collection-chip">
                <LibraryIcon />
                <span className="chip__name">{name}</span>
                <button type="button" className="collection-chip__remove" aria-label={`Detach ${name}`} onClick={() => void save(attached.filter((x) => x !== id))}>
                  <CloseIcon />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
});
