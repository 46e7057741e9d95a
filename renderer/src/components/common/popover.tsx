import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

interface PopoverProps {
  /** The button's accessible name and tooltip. */
  label: string;
  /** What the button shows (an icon and text). */
  button: ReactNode;
  /** Accessible name of the panel. */
  title: string;
  buttonClassName?: string;
  panelClassName?: string;
  /** Where the panel opens, relative to the button. */
  placement?: 'above' | 'below';
  children: ReactNode;
}

/**
 * A button that opens a small non-modal panel (a disclosure): its first
 * control gets focus, Escape closes it and returns focus to the button, a
 * click outside closes it.
 */
export function Popover({ label, button, title, buttonClassName, panelClassName, placement = 'above', children }: PopoverProps) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>('input, select, textarea, button, [tabindex="0"]')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };

  return (
    <div ref={rootRef} className="popover" onKeyDown={open ? onKeyDown : undefined}>
      <button
        ref={buttonRef}
        type="button"
        className={buttonClassName}
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((was) => !was)}
      >
        {button}
      </button>
      {open && (
        <div ref={panelRef} id={panelId} role="dialog" aria-label={title} className={`popover__panel popover__panel--${placement} ${panelClassName ?? ''}`}>
          {children}
        </div>
      )}
    </div>
  );
}
