import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

interface MenuButtonProps {
  /** Accessible name of the button, e.g. "Actions for My chat". */
  label: string;
  icon: ReactNode;
  items: MenuItem[];
  className?: string;
  /**
   * Render the menu in a portal on <body>: needed inside a transformed
   * ancestor (a virtual list row), which would otherwise anchor
   * `position: fixed` to itself.
   */
  portal?: boolean;
}

interface MenuPlacement {
  right: number;
  top?: number;
  bottom?: number;
}

const MENU_HEIGHT_GUESS = 180;

/**
 * A button that opens a menu (the ARIA menu button pattern): Enter, Space or
 * ArrowDown open it on the first item, arrows move, Escape closes and returns
 * focus, Tab or a click elsewhere closes it.
 */
export function MenuButton({ label, icon, items, className, portal = false }: MenuButtonProps) {
  const [placement, setPlacement] = useState<MenuPlacement | null>(null);
  const [focusIndex, setFocusIndex] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  /** Where the button was when the menu opened: a scroll that moves it closes the menu, one that does not (a late event) does not. */
  const anchorRef = useRef<{ top: number; left: number } | null>(null);
  const menuId = useId();
  const open = placement !== null;

  const openMenu = (index: number) => {
    const rect = buttonRef.current?.getBoundingClientRect();
    if (!rect) return;
    anchorRef.current = { top: rect.top, left: rect.left };
    const right = Math.max(8, window.innerWidth - rect.right);
    const below = rect.bottom + MENU_HEIGHT_GUESS < window.innerHeight;
    setFocusIndex(index);
    setPlacement(below ? { right, top: rect.bottom + 4 } : { right, bottom: window.innerHeight - rect.top + 4 });
  };

  const close = (returnFocus: boolean) => {
    setPlacement(null);
    if (returnFocus) buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const menuItems = menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
    // No scroll into view: a scroll closes the menu, and a fixed menu is already in view.
    menuItems?.[focusIndex]?.focus({ preventScroll: true });
  }, [open, focusIndex]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setPlacement(null);
    };
    const onResize = () => setPlacement(null);
    // A scroll that moves the button leaves the menu behind: close it. One inside the menu, or a late
    // event of a scroll that happened before the menu opened (focusing the button scrolls it into view), does not.
    const onScroll = (event: Event) => {
      if (menuRef.current?.contains(event.target as Node)) return;
      const rect = buttonRef.current?.getBoundingClientRect();
      const anchor = anchorRef.current;
      if (!rect || !anchor || Math.abs(rect.top - anchor.top) > 1 || Math.abs(rect.left - anchor.left) > 1) setPlacement(null);
    };
    document.addEventListener('pointerdown', onPointerDown);
    window.addEventListener('resize', onResize);
    document.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      window.removeEventListener('resize', onResize);
      document.removeEventListener('scroll', onScroll, true);
    };
  }, [open]);

  const onButtonKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      openMenu(event.key === 'ArrowDown' ? 0 : items.length - 1);
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent) => {
    const count = items.length;
    if (event.key === 'ArrowDown') setFocusIndex((i) => (i + 1) % count);
    else if (event.key === 'ArrowUp') setFocusIndex((i) => (i - 1 + count) % count);
    else if (event.key === 'Home') setFocusIndex(0);
    else if (event.key === 'End') setFocusIndex(count - 1);
    else if (event.key === 'Escape') close(true);
    else if (event.key === 'Tab') {
      close(false);
      return;
    } else return;
    event.preventDefault();
    event.stopPropagation();
  };

  const menu = placement && (
    <div ref={menuRef} id={menuId} role="menu" aria-label={label} className="menu" style={placement} onKeyDown={onMenuKeyDown}>
      {items.map((item, index) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          tabIndex={index === focusIndex ? 0 : -1}
          className={`menu__item${item.danger ? ' menu__item--danger' : ''}`}
          onClick={() => {
            close(true);
            item.onSelect();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className={className}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close(false) : openMenu(0))}
        onKeyDown={onButtonKeyDown}
      >
        {icon}
      </button>
      {menu && (portal ? createPortal(menu, document.body) : menu)}
    </>
  );
}
