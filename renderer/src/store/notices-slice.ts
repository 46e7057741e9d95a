import type { AppNotice } from '../../../shared/ipc/routes/app';
import type { SliceCreator } from './app-state';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

export interface NoticesSlice {
  /** Things that went wrong (or need saying) outside any one message; newest last. */
  notices: Notice[];
  notify(message: string, kind?: Notice['kind']): void;
  dismissNotice(id: number): void;
  /** The backend's notices about the app itself (a config file kept aside, a failed settings write), until dismissed. */
  appNotices: AppNotice[];
  loadAppNotices(): Promise<void>;
  receiveAppNotice(notice: AppNotice): void;
  /** Dismisses it for every window (the backend forgets it). */
  dismissAppNotice(id: string): Promise<void>;
}

const MAX_NOTICES = 3;

export const createNoticesSlice: SliceCreator<NoticesSlice> = (set, _get, { client }) => {
  let nextId = 1;
  return {
    notices: [],
    notify: (message, kind = 'error') => {
      const notice = { id: nextId++, kind, message };
      set((state) => ({ notices: [...state.notices.filter((n) => n.message !== message), notice].slice(-MAX_NOTICES) }));
    },
    dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) })),
    appNotices: [],
    loadAppNotices: async () => {
      try {
        set({ appNotices: await client.request('app.notices', {}) });
      } catch {
        // An older backend or a lost connection: nothing to show; the next reconnect loads again.
      }
    },
    receiveAppNotice: (notice) =>
      set((state) => ({ appNotices: [...state.appNotices.filter((n) => n.id !== notice.id), notice] })),
    dismissAppNotice: async (id) => {
      set((state) => ({ appNotices: state.appNotices.filter((n) => n.id !== id) }));
      await client.request('app.dismissNotice', { id }).catch(() => undefined);
    },
  };
};
