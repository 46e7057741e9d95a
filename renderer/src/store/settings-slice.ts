import type { AppInfo, Settings, SettingsPatch, Theme } from '../../../shared/ipc/domain';
import { describeError } from '../client/tandem-client-error';
import type { SliceCreator } from './app-state';

export interface SettingsSlice {
  settings: Settings | null;
  appInfo: AppInfo | null;
  loadSettings(): Promise<void>;
  loadAppInfo(): Promise<void>;
  /** Saves a partial update; false (with a notice) when it failed. */
  updateSettings(patch: SettingsPatch): Promise<boolean>;
  /** Applies a theme at once and saves it. */
  setTheme(theme: Theme): Promise<void>;
  receiveSettings(settings: Settings): void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get, { client }) => ({
  settings: null,
  appInfo: null,

  loadSettings: async () => {
    try {
      set({ settings: await client.request('settings.get', {}) });
    } catch (error) {
      get().notify(`Could not load settings: ${describeError(error)}`);
    }
  },

  loadAppInfo: async () => {
    try {
      set({ appInfo: await client.request('app.info', {}) });
    } catch (error) {
      get().notify(`Could not reach Tandem: ${describeError(error)}`);
    }
  },

  updateSettings: async (patch) => {
    try {
      set({ settings: await client.request('settings.update', patch) });
      return true;
    } catch (error) {
      get().notify(`Could not save settings: ${describeError(error)}`);
      return false;
    }
  },

  setTheme: async (theme) => {
    const before = get().settings;
    if (!before || before.theme === theme) return;
    set({ settings: { ...before, theme } });
    const saved = await get().updateSettings({ theme });
    if (!saved) set((state) => (state.settings ? { settings: { ...state.settings, theme: before.theme } } : {}));
  },

  receiveSettings: (settings) => set({ settings }),
});
