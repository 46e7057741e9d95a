import { CodedError } from '../../../shared/ipc/errors';
import { AUTO_MODEL_ID, type RoutingPriority } from '../../../shared/ipc/routes/routing';
import type { ChatStore } from '../chats/chat-store';
import { answeringModel } from '../chats/answering-model';
import { routeContextOf, type RouteContext, type RoutingService } from '../routing/routing-service';
import type { Handlers } from './handlers';

type RoutingRoute = 'route.decide' | 'route.estimate' | 'route.vote' | 'route.learn' | 'usage.summary' | 'cache.clear' | 'cache.stats';

export interface RoutingHandlerDeps {
  routing: RoutingService;
  chats: ChatStore;
  hasLocalOnlyContent: (collectionIds: string[]) => boolean;
}

/** Auto's routes: decisions, estimates, votes, outcomes, usage and the response cache. */
export function createRoutingHandlers(deps: RoutingHandlerDeps): Pick<Handlers, RoutingRoute> {
  const { routing, chats } = deps;
  const contextFor = async (chatId: string | undefined, overrides: { priority?: RoutingPriority; collectionIds?: string[] } = {}): Promise<RouteContext> => {
    const chatSettings = chatId ? (chats.summary(chatId).settings ?? {}) : {};
    const settings = { ...chatSettings, priority: overrides.priority ?? chatSettings.priority, collectionIds: overrides.collectionIds ?? chatSettings.collectionIds };
    return routeContextOf(chatId ?? null, settings, deps.hasLocalOnlyContent(settings.collectionIds ?? []));
  };
  return {
    'route.decide': async ({ text, chatId, priority, collectionIds }) => routing.decideText(text, await contextFor(chatId, { priority, collectionIds })),
    'route.estimate': async ({ text, chatId, modelId }) => routing.estimate(text, modelId, await contextFor(chatId)),
    'route.vote': async ({ chatId, messageId, vote }) => {
      const chat = await chats.get(chatId);
      const index = chat.messages.findIndex((m) => m.id === messageId);
      const message = chat.messages[index];
      if (!message || message.role !== 'assistant') throw new CodedError('NOT_FOUND', 'No such answer in this chat');
      const prompt = chat.messages.slice(0, index).findLast((m) => m.role === 'user')?.text ?? '';
      const answered = answeringModel(message);
      // An answer with no saved decision says only "auto": there is no model to credit.
      const modelId = answered === AUTO_MODEL_ID ? null : answered;
      await chats.setVote(chatId, messageId, vote);
      routing.vote(`vote:${chatId}:${messageId}`, vote && modelId && prompt ? { prompt, modelId, vote } : null);
      return { vote };
    },
    'route.learn': ({ jsonl }) => routing.learn(jsonl),
    'usage.summary': ({ since, until }) => routing.usageSummary({ since, until }),
    'cache.clear': async () => ({ removed: await routing.cache.clear() }),
    'cache.stats': () => routing.cache.stats(),
  };
}
