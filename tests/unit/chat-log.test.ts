import { describe, expect, test } from 'vitest';
import { replayChatLog, type ChatLogRecord } from '../../electron/core/chats/chat-log';
import type { ChatMessage } from '../../shared/ipc/domain';

function message(id: string, role: ChatMessage['role'], text: string, status: ChatMessage['status'] = 'complete'): ChatMessage {
  return {
    id,
    role,
    text,
    createdAt: '2026-01-01T00:00:00.000Z',
    status,
    modelId: role === 'assistant' ? 'tiny' : null,
    finishReason: null,
    usage: null,
    error: null,
  };
}

const lines = (...records: ChatLogRecord[]) => records.map((record) => `${JSON.stringify(record)}\n`).join('');

const answered = lines(
  { t: 'msg', message: message('u1', 'user', 'Tell me a story') },
  { t: 'msg', message: message('a1', 'assistant', '', 'streaming') },
  { t: 'delta', id: 'a1', text: 'Once upon' },
  { t: 'delta', id: 'a1', text: ' a time.' },
  { t: 'end', id: 'a1', status: 'complete', finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 3 }, error: null },
);

describe('replayChatLog', () => {
  test('rebuilds a finished answer from its message, deltas and end', () => {
    const { messages, skippedLines } = replayChatLog(answered);
    expect(skippedLines).toBe(0);
    expect(messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'Tell me a story', 'complete'],
      ['assistant', 'Once upon a time.', 'complete'],
    ]);
    expect(messages[1]).toMatchObject({ finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 3 } });
  });

  test('a torn last line (crash mid-append) is skipped and everything before it survives', () => {
    const torn = `${answered}{"t":"delta","id":"a1","te`;
    const { messages, skippedLines } = replayChatLog(torn);
    expect(skippedLines).toBe(1);
    expect(messages).toHaveLength(2);
    expect(messages[1]?.text).toBe('Once upon a time.');
    expect(messages[1]?.status).toBe('complete');
  });

  test('a message that never got its end record is shown as interrupted, with the text it had', () => {
    const crashed = lines(
      { t: 'msg', message: message('u1', 'user', 'Hi') },
      { t: 'msg', message: message('a1', 'assistant', '', 'streaming') },
      { t: 'delta', id: 'a1', text: 'Hello th' },
    );
    const { messages } = replayChatLog(`${crashed}{"t":"delta","id":"a1","text":"ere, frie`);
    expect(messages[1]).toMatchObject({ status: 'interrupted', text: 'Hello th' });
    expect(messages[0]?.status).toBe('complete');
  });

  test('deltas and ends for an unknown message id are skipped, not applied elsewhere', () => {
    const stray = lines(
      { t: 'msg', message: message('u1', 'user', 'Hi') },
      { t: 'delta', id: 'ghost', text: 'boo' },
      { t: 'end', id: 'ghost', status: 'error', finishReason: null, usage: null, error: { code: 'INTERNAL', message: 'x' } },
    );
    const { messages, skippedLines } = replayChatLog(stray);
    expect(skippedLines).toBe(2);
    expect(messages).toEqual([message('u1', 'user', 'Hi')]);
  });

  test('lines that are JSON but not records, and blank lines, do not break replay', () => {
    const noisy = `\n${JSON.stringify({ t: 'msg' })}\n[1,2]\nnull\n   \n${answered}`;
    const { messages, skippedLines } = replayChatLog(noisy);
    expect(skippedLines).toBe(3);
    expect(messages.map((m) => m.text)).toEqual(['Tell me a story', 'Once upon a time.']);
  });

  test('a cancelled or failed answer keeps its status and error after replay', () => {
    const log = lines(
      { t: 'msg', message: message('a1', 'assistant', '', 'streaming') },
      { t: 'delta', id: 'a1', text: 'part' },
      { t: 'end', id: 'a1', status: 'cancelled', finishReason: 'cancelled', usage: null, error: null },
      { t: 'msg', message: message('a2', 'assistant', '', 'streaming') },
      { t: 'end', id: 'a2', status: 'error', finishReason: null, usage: null, error: { code: 'MODEL_LOAD_FAILED', message: 'bad file' } },
    );
    const { messages } = replayChatLog(log);
    expect(messages[0]).toMatchObject({ status: 'cancelled', text: 'part', finishReason: 'cancelled' });
    expect(messages[1]).toMatchObject({ status: 'error', error: { code: 'MODEL_LOAD_FAILED', message: 'bad file' } });
  });

  test('an empty log is an empty chat', () => {
    expect(replayChatLog('')).toEqual({ messages: [], skippedLines: 0 });
  });
});
