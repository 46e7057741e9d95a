import type { ChatSummary } from '../../../shared/ipc/domain';

export interface ChatGroup {
  label: string;
  chats: ChatSummary[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Splits a newest-first list into Today / Yesterday / Previous 7 days / Older, keeping the order. */
export function groupChatsByDate(chats: readonly ChatSummary[], now: Date = new Date()): ChatGroup[] {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const bucket = (iso: string) => {
    const time = new Date(iso).getTime();
    if (time >= startOfToday) return 'Today';
    if (time >= startOfToday - DAY_MS) return 'Yesterday';
    if (time >= startOfToday - 7 * DAY_MS) return 'Previous 7 days';
    return 'Older';
  };
  const groups: ChatGroup[] = [];
  for (const chat of chats) {
    const label = bucket(chat.updatedAt);
    const last = groups.at(-1);
    if (last?.label === label) last.chats.push(chat);
    else groups.push({ label, chats: [chat] });
  }
  return groups;
}
