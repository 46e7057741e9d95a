import type { SliceCreator } from './app-state';

export interface DraftSlice {
  /** What is typed in the composer and not sent yet. */
  draft: string;
  setDraft(draft: string): void;
  /** Puts text back after a failed send, unless something new was typed meanwhile. */
  restoreDraft(text: string): void;
}

export const createDraftSlice: SliceCreator<DraftSlice> = (set, get) => ({
  draft: '',
  setDraft: (draft) => set({ draft }),
  restoreDraft: (text) => {
    if (get().draft.trim() === '') set({ draft: text });
  },
});
