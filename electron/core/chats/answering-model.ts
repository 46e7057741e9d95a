import type { ChatMessage } from '../../../shared/ipc/domain';

/** The model that wrote an answer: the chosen best-of-N candidate's, the last fallback's, else Auto's pick, else the message's model. */
export function answeringModel(message: ChatMessage): string | null {
  return message.steps?.find((s) => s.chosen)?.modelId ?? message.fallbacks?.at(-1)?.nextModelId ?? message.route?.chosenModelId ?? message.modelId;
}
