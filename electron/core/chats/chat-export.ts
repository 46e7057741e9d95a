import type { Chat } from '../../../shared/ipc/domain';

export interface ExportedChat {
  filename: string;
  mimeType: string;
  content: string;
}

/** A chat as Markdown (for reading and sharing) or JSON (lossless, for tools). */
export function exportChat(chat: Chat, format: 'markdown' | 'json'): ExportedChat {
  const base = safeFilename(chat.title);
  if (format === 'json') {
    return { filename: `${base}.json`, mimeType: 'application/json', content: `${JSON.stringify(chat, null, 2)}\n` };
  }
  const lines = [`# ${chat.title}`, '', `_Exported from Tandem on ${new Date().toISOString()}_`, ''];
  for (const message of chat.messages) {
    const who = message.role === 'user' ? 'User' : message.role === 'assistant' ? 'Assistant' : 'System';
    const model = message.role === 'assistant' && message.modelId ? ` (${message.modelId})` : '';
    const note = message.status === 'complete' ? '' : ` — ${message.status}`;
    lines.push(`## ${who}${model}${note}`, '', message.text, '');
  }
  return { filename: `${base}.md`, mimeType: 'text/markdown', content: lines.join('\n') };
}

function safeFilename(title: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a filename must not contain
  const cleaned = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);
  return cleaned || 'chat';
}
