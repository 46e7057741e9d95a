import type { ChatMessage } from '../../../../shared/ipc/domain';

/** A row of the message list: one message, or every column of one compare side by side. */
export type MessageRow =
  | { kind: 'message'; key: string; message: ChatMessage; position: number }
  | { kind: 'compare'; key: string; groupId: string; messages: ChatMessage[]; position: number };

/**
 * The chat's messages as list rows: the assistant messages of a compare (one
 * per column, after their user message) become one row, in column order,
 * where the first of them stands. `position` is the 1-based message number.
 */
export function messageRows(messages: readonly ChatMessage[]): MessageRow[] {
  const rows: MessageRow[] = [];
  const groups = new Map<string, ChatMessage[]>();
  messages.forEach((message, index) => {
    const groupId = message.compare?.groupId;
    if (!groupId) {
      rows.push({ kind: 'message', key: message.id, message, position: index + 1 });
      return;
    }
    const members = groups.get(groupId);
    if (members) {
      members.push(message);
      return;
    }
    const group: ChatMessage[] = [message];
    groups.set(groupId, group);
    rows.push({ kind: 'compare', key: `compare:${groupId}`, groupId, messages: group, position: index + 1 });
  });
  for (const members of groups.values()) members.sort((a, b) => (a.compare?.column ?? 0) - (b.compare?.column ?? 0));
  return rows;
}
