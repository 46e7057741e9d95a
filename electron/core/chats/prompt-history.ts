import type { ChatMessage } from '../../../shared/ipc/domain';

/**
 * The saved messages a model sees as the conversation so far. Failed answers
 * are left out; of a compare's columns only one answer stays: the chosen one
 * ("Continue with this answer"), else the voted winner, else the first that
 * completed (else the first column).
 */
export function conversationForPrompt(messages: readonly ChatMessage[]): ChatMessage[] {
  const keep = new Set<string>();
  const groups = new Map<string, ChatMessage[]>();
  for (const message of messages) {
    const groupId = message.compare?.groupId;
    if (groupId === undefined) continue;
    const group = groups.get(groupId) ?? [];
    group.push(message);
    groups.set(groupId, group);
  }
  for (const group of groups.values()) {
    const verdict = group[0]?.compare?.verdict;
    const pick =
      group.find((m) => m.compare?.chosen) ??
      (typeof verdict === 'number' ? group.find((m) => m.compare?.column === verdict) : undefined) ??
      group.find((m) => m.status === 'complete' && m.text.length > 0) ??
      [...group].sort((a, b) => (a.compare?.column ?? 0) - (b.compare?.column ?? 0))[0];
    if (pick) keep.add(pick.id);
  }
  return messages.filter(
    (m) =>
      (m.text.length > 0 || (m.toolCalls?.length ?? 0) > 0) &&
      (m.role !== 'assistant' || m.status !== 'error') &&
      (m.compare === undefined || keep.has(m.id)),
  );
}
