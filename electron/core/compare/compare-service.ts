import type { ChatStore } from '../chats/chat-store';
import type { ChatTurnRunner } from '../chats/chat-turn-runner';
import type { LanguageModel } from '../models/language-model';
import type { LocalRuntime } from '../models/local-runtime';
import type { RouteContext, RoutingService } from '../routing/routing-service';

export interface CompareServiceOptions {
  store: ChatStore;
  /** One turn per chat at a time: a compare and a chat answer never overlap. */
  turns: ChatTurnRunner;
  resolveModel: (modelId: string, context: RouteContext) => Promise<LanguageModel>;
  /** Whether a model id is a cloud model (`PROVIDER/MODEL`). */
  isCloud: (modelId: string) => boolean;
  runtime: LocalRuntime;
  routing: RoutingService;
  hasLocalOnlyContent: (collectionIds: string[]) => boolean;
  maxTokens: () => number;
  onChatChanged: (chatId: string) => void;
}

/** Compare: one prompt to 2–4 models, answers side by side, votes into outcomes, the leaderboard. */
export class CompareService {
  constructor(readonly options: CompareServiceOptions) {}
}
