import { describe, expect, test } from 'vitest';
import { trimToContext } from '../../electron/core/models/context-policy';
import type { PromptMessage } from '../../electron/core/models/language-model';

/** One token per character keeps the arithmetic visible. */
const countTokens = (text: string) => text.length;
const turn = (i: number): PromptMessage[] => [
  { role: 'user', text: `question ${i} `.padEnd(40, '.') },
  { role: 'assistant', text: `answer ${i} `.padEnd(40, '.') },
];

describe('dropping the oldest turns when a chat outgrows the context', () => {
  test('a chat that fits is left alone', () => {
    const messages: PromptMessage[] = [{ role: 'system', text: 'Be brief.' }, ...turn(1), { role: 'user', text: 'Hi' }];
    expect(trimToContext(messages, { contextSize: 1000, countTokens })).toEqual({ messages, droppedMessages: 0, droppedTokens: 0 });
  });

  test('drops from the oldest, keeps the system prompt and the question, and says how much went', () => {
    const messages: PromptMessage[] = [{ role: 'system', text: 'Be brief.' }, ...turn(1), ...turn(2), ...turn(3), { role: 'user', text: 'Last?' }];
    // each turn message costs 40 + 8; 300 context, 50 reserved
    const result = trimToContext(messages, { contextSize: 300, countTokens, policy: { strategy: 'drop-oldest', reserveTokens: 50 } });
    expect(result.messages[0]).toEqual({ role: 'system', text: 'Be brief.' });
    expect(result.messages.at(-1)).toEqual({ role: 'user', text: 'Last?' });
    expect(result.droppedMessages).toBeGreaterThan(0);
    expect(result.droppedTokens).toBe(result.droppedMessages * 48);
    // the oldest went first: what is left is the newest turns, in order
    const kept = result.messages.slice(1, -1);
    expect(messages.slice(-1 - kept.length, -1)).toEqual(kept);
    const total = result.messages.reduce((sum, m) => sum + (m.role === 'tool' ? 0 : m.text.length) + 8, 0);
    expect(total).toBeLessThanOrEqual(250);
  });

  test('the reserve defaults to maxTokens, capped at a quarter of the context', () => {
    const messages: PromptMessage[] = [...turn(1), ...turn(2), { role: 'user', text: 'q' }];
    expect(trimToContext(messages, { contextSize: 220, maxTokens: 10, countTokens }).droppedMessages).toBe(0);
    expect(trimToContext(messages, { contextSize: 220, maxTokens: 100, countTokens }).droppedMessages).toBeGreaterThan(0);
  });

  test('a tool result never stays without its call', () => {
    const messages: PromptMessage[] = [
      { role: 'user', text: 'x'.repeat(100) },
      { role: 'assistant', text: '', toolCalls: [{ toolCallId: 'c1', toolName: 'f', args: {} }] },
      { role: 'tool', toolCallId: 'c1', toolName: 'f', result: 'ok' },
      { role: 'assistant', text: 'done' },
      { role: 'user', text: 'again' },
    ];
    const result = trimToContext(messages, { contextSize: 120, countTokens, policy: { strategy: 'drop-oldest', reserveTokens: 0 } });
    expect(result.messages.some((m) => m.role === 'tool')).toBe(result.messages.some((m) => m.role === 'assistant' && m.toolCalls?.length));
    expect(result.messages.at(-1)).toEqual({ role: 'user', text: 'again' });
  });

  test('when even the last question is too long, it is kept as it is', () => {
    const messages: PromptMessage[] = [{ role: 'user', text: 'x'.repeat(500) }];
    expect(trimToContext(messages, { contextSize: 100, countTokens }).messages).toEqual(messages);
  });
});
