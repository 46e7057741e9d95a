import type { RouteOutput } from '../../../shared/ipc/contract';
import type { BudgetSettings, PinnedRule, RoutingPriority, UsageSummary } from '../../../shared/ipc/routes/routing';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

/** The periods the Usage page offers. */
export type UsagePeriod = 'month' | '7d' | '30d';

export type CacheStats = RouteOutput<'cache.stats'>;
export type PromptEstimate = RouteOutput<'route.estimate'>;

export interface RoutingSlice {
  usagePeriod: UsagePeriod;
  usage: UsageSummary | null;
  usageStatus: LoadStatus;
  usageError: string | null;
  cacheStats: CacheStats | null;
  /** Priority for the Auto chat that the next message creates (none open yet). */
  newChatPriority: RoutingPriority | null;
  setUsagePeriod(period: UsagePeriod): void;
  loadUsage(): Promise<void>;
  loadCacheStats(): Promise<void>;
  /** Empties the response cache; answers how many entries were removed, or null when it failed (with a notice). */
  clearCache(): Promise<number | null>;
  saveBudget(budget: BudgetSettings): Promise<boolean>;
  savePinnedRules(rules: PinnedRule[]): Promise<boolean>;
  /** Saves the chat's Auto priority (or the next new chat's, when `chatId` is null). */
  setChatPriority(chatId: string | null, priority: RoutingPriority): Promise<void>;
  /** "Good answer" / "Bad answer" (null takes it back); the message shows it at once and is corrected if saving fails. */
  voteMessage(chatId: string, messageId: string, vote: 'good' | 'bad' | null): Promise<void>;
  /** Sends the user message before this answer again, in the same chat, to `modelId`. */
  answerAgainWith(messageId: string, modelId: string): Promise<boolean>;
  /** Tokens and cost of `text` for `modelId` (for Auto: its current pick); null when the backend cannot tell. */
  estimatePrompt(text: string, modelId: string, chatId: string | null): Promise<PromptEstimate | null>;
}

/** YYYY-MM-DD in local time. */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first and last day of a period, ending today. */
export function periodRange(period: UsagePeriod, today = new Date()): { since: string; until: string } {
  const start = new Date(today);
  if (period === 'month') start.setDate(1);
  else start.setDate(start.getDate() - (period === '7d' ? 6 : 29));
  return { since: isoDate(start), until: isoDate(today) };
}

export const createRoutingSlice: SliceCreator<RoutingSlice> = (set, get, { client }) => {
  // Only the newest usage.summary may write (a period switched while one was on its way).
  let usageTicket = 0;

  const withVote = (messageId: string, vote: 'good' | 'bad' | null) =>
    set((state) => ({
      messages: state.messages.map((m) => {
        if (m.id !== messageId) return m;
        const next = { ...m };
        if (vote) next.vote = vote;
        else delete next.vote;
        return next;
      }),
    }));

  return {
    usagePeriod: 'month',
    usage: null,
    usageStatus: 'idle',
    usageError: null,
    cacheStats: null,
    newChatPriority: null,

    setUsagePeriod: (period) => {
      if (period === get().usagePeriod) return;
      set({ usagePeriod: period });
      void get().loadUsage();
    },

    loadUsage: async () => {
      const ticket = ++usageTicket;
      if (get().usageStatus !== 'ready') set({ usageStatus: 'loading' });
      try {
        const usage = await client.request('usage.summary', periodRange(get().usagePeriod));
        if (ticket !== usageTicket) return;
        set({ usage, usageStatus: 'ready', usageError: null });
      } catch (error) {
        if (ticket !== usageTicket) return;
        set({ usageStatus: 'error', usageError: describeError(error) });
      }
    },

    loadCacheStats: async () => {
      try {
        set({ cacheStats: await client.request('cache.stats', {}) });
      } catch {
        // The cache panel says it has no numbers; nothing else depends on them.
        set({ cacheStats: null });
      }
    },

    clearCache: async () => {
      try {
        const { removed } = await client.request('cache.clear', {});
        void get().loadCacheStats();
        return removed;
      } catch (error) {
        get().notify(`Could not clear the cache: ${describeError(error)}`);
        return null;
      }
    },

    saveBudget: async (budget) => {
      const routing = get().settings?.routing;
      if (!routing) return false;
      const saved = await get().updateSettings({ routing: { ...routing, budget } });
      if (saved) void get().loadUsage();
      return saved;
    },

    savePinnedRules: async (pinnedRules) => {
      const before = get().settings;
      if (!before) return false;
      const routing = { ...before.routing, pinnedRules };
      // Shown at once (a checkbox or a move must not wait for the round trip); put back if saving fails.
      set({ settings: { ...before, routing } });
      const saved = await get().updateSettings({ routing });
      if (!saved) set((state) => (state.settings ? { settings: { ...state.settings, routing: { ...state.settings.routing, pinnedRules: before.routing.pinnedRules } } } : {}));
      return saved;
    },

    setChatPriority: async (chatId, priority) => {
      if (chatId === null) {
        set({ newChatPriority: priority });
        return;
      }
      const settings = get().chats.find((chat) => chat.id === chatId)?.settings ?? {};
      await get().updateChatSettings(chatId, { ...settings, priority });
    },

    voteMessage: async (chatId, messageId, vote) => {
      const before = get().messages.find((m) => m.id === messageId)?.vote ?? null;
      withVote(messageId, vote);
      try {
        const saved = await client.request('route.vote', { chatId, messageId, vote });
        if (get().activeChatId === chatId) withVote(messageId, saved.vote);
      } catch (error) {
        if (get().activeChatId === chatId) withVote(messageId, before);
        get().notify(`Could not save your vote: ${describeError(error)}`);
      }
    },

    answerAgainWith: async (messageId, modelId) => {
      const messages = get().messages;
      const index = messages.findIndex((m) => m.id === messageId);
      const question = messages.slice(0, Math.max(0, index)).findLast((m) => m.role === 'user');
      if (!question) {
        get().notify('There is no question before this answer to send again.');
        return false;
      }
      return get().sendMessage(question.text, { modelId });
    },

    estimatePrompt: async (text, modelId, chatId) => {
      try {
        return await client.request('route.estimate', { text, modelId, ...(chatId ? { chatId } : {}) });
      } catch {
        return null;
      }
    },
  };
};
