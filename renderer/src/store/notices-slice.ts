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
}

const MAX_NOTICES = 3;

export const createNoticesSlice: SliceCreator<NoticesSlice> = (set) => {
  let nextId = 1;
  return {
    notices: [],
    notify: (message, kind = 'error') => {
      const notice = { id: nextId++, kind, message };
      set((state) => ({ notices: [...state.notices.filter((n) => n.message !== message), notice].slice(-MAX_NOTICES) }));
    },
    dismissNotice: (id) => set((state) => ({ notices: state.notices.filter((notice) => notice.id !== id) })),
  };
};
