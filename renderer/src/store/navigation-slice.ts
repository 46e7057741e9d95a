import type { SliceCreator } from './app-state';

export type Page = 'chats' | 'models' | 'providers' | 'documents' | 'mcp' | 'usage' | 'lab' | 'api' | 'games';

export interface NavigationSlice {
  /** The page the main area shows. */
  page: Page;
  showPage(page: Page): void;
}

export const createNavigationSlice: SliceCreator<NavigationSlice> = (set) => ({
  page: 'chats',
  showPage: (page) => set({ page }),
});
