import { describe, expect, test } from 'vitest';
import { replayChatLog, type ChatLogRecord } from '../../electron/core/chats/chat-log';
import { promptFromMessage, resultForModel } from '../../electron/core/mcp/tool-history';
import type { ChatMessage } from '../../shared/ipc/domain';
import type { ToolCallRecord } from '../../shared/ipc/stream-parts';

const record = (over: Partial<ToolCallRecord> = {}): ToolCallRecord => ({
  toolCallId: 'call_1',
  server: 'my.server',
  toolName: 'echo',
  args: { message: 'hi' },
  status: 'done',
  result: 'Echo: hi',
  truncatedForModel: false,
  durationMs: 5,
  ...over,
});

const assistant = (text: string, toolCalls?: ToolCallRecord[]): ChatMessage => ({
  id: 'a1',
  role: 'assistant',
  text,
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'complete',
  modelId: 'm',
  finishReason: 'stop',
  usage: null,
  error: null,
  ...(toolCalls ? { toolCalls } : {}),
});

describe('tool calls in the chat log', () => {
  test('tool records add calls to their message in order; a message without an end is interrupted with them', () => {
    const lines = (
      [
        { t: 'msg', message: { ...assistant(''), status: 'streaming' } },
        { t: 'delta', id: 'a1', text: 'Checking.' },
        { t: 'tool', id: 'a1', call: record() },
        { t: 'tool', id: 'a1', call: record({ toolCallId: 'call_2', status: 'denied', result: 'The user denied this tool call.' }) },
      ] satisfies ChatLogRecord[]
    )
      .map((r) => JSON.stringify(r))
      .join('\n');
    const [message] = replayChatLog(`${lines}\n{"t":"tool","id":"a1","call":{"torn`).messages;
    expect(message!.status).toBe('interrupted');
    expect(message!.text).toBe('Checking.');
    expect(message!.toolCalls?.map((c) => [c.toolCallId, c.status])).toEqual([
      ['call_1', 'done'],
      ['call_2', 'denied'],
    ]);
  });
});

describe('history for later turns', () => {
  test('an answer without tools is one message', () => {
    expect(promptFromMessage(assistant('Hello'), 1000)).toEqual([{ role: 'assistant', text: 'Hello' }]);
  });

  test('an answer with tools is its calls (provider-safe names), their results, then its text', () => {
    const prompt = promptFromMessage(assistant('It said hi.', [record(), record({ toolCallId: 'call_2', status: 'denied', result: 'x' })]), 1000);
    expect(prompt).toEqual([
      {
        role: 'assistant',
        text: '',
        toolCalls: [
          { toolCallId: 'call_1', toolName: 'my_server__echo', args: { message: 'hi' } },
          { toolCallId: 'call_2', toolName: 'my_server__echo', args: { message: 'hi' } },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', toolName: 'my_server__echo', result: 'Echo: hi' },
      { role: 'tool', toolCallId: 'call_2', toolName: 'my_server__echo', result: 'The user denied this tool call.' },
      { role: 'assistant', text: 'It said hi.' },
    ]);
  });

  test('results are cut for the model as they were live; failures are said as such', () => {
    const cut = resultForModel('done', 'y'.repeat(5000), 1000);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(1000);
    expect(resultForModel('error', 'boom', 1000).text).toBe('The tool call failed: boom');
    expect(resultForModel('cancelled', '', 1000).text).toBe('The tool call was cancelled.');
  });
});
