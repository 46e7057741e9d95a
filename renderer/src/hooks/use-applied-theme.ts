import { useEffect } from 'react';
import type { Theme } from '../../../shared/ipc/domain';
import { useAppStore } from '../store/store-context';

const THEME_CACHE_KEY = 'tandem.theme';

/** Sets `data-theme` on <html> (the CSS picks colours from it) and remembers it for the next start. */
export function useAppliedTheme(): void {
  const theme = useAppStore((s) => s.settings?.theme ?? null);
  useEffect(() => {
    if (!theme) return;
    applyTheme(theme);
    try {
      localStorage.setItem(THEME_CACHE_KEY, theme);
    } catch {
      // Not being able to cache it only costs a flash of the system theme.
    }
  }, [theme]);
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** The theme used last time, applied before the first render so there is no flash. */
export function applyCachedTheme(): void {
  try {
    const cached = localStorage.getItem(THEME_CACHE_KEY);
    if (cached === 'light' || cached === 'dark' || cached === 'system') applyTheme(cached);
  } catch {
    // ignore: the system theme applies
  }
}
