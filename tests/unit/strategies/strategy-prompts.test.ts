import { describe, expect, test } from 'vitest';
import { refineMessages, verifyMarkers } from '../../../electron/core/strategies/strategy-prompts';

describe('condensed text keeps only real [n] markers', () => {
  test('markers of retrieved sources stay; invented ones are removed', () => {
    const result = verifyMarkers('Marta lit the lamp [1]. Seals rest on the pier [2]. The key is hidden [7].', new Set([1, 2, 3]));
    expect(result.text).toBe('Marta lit the lamp [1]. Seals rest on the pier [2]. The key is hidden .');
    expect(result.kept).toEqual([1, 2]);
    expect(result.dropped).toEqual([7]);
  });

  test('text without markers is kept as it is', () => {
    expect(verifyMarkers('  nothing cited here  ', new Set([1]))).toEqual({ text: 'nothing cited here', kept: [], dropped: [] });
  });
});

describe('the refiner prompt', () => {
  test('the draft goes into the last user message; earlier turns stay as they were', () => {
    const conversation = [
      { role: 'user' as const, text: 'Hi' },
      { role: 'assistant' as const, text: 'Hello!' },
      { role: 'user' as const, text: 'What is the capital of France?' },
    ];
    const messages = refineMessages(conversation, '  Lyon, I think.  ');
    expect(messages.slice(0, 2)).toEqual(conversation.slice(0, 2));
    expect(messages).toHaveLength(3);
    const last = messages[2]!;
    expect(last.role).toBe('user');
    if (last.role !== 'user') return;
    expect(last.text.startsWith('What is the capital of France?')).toBe(true);
    expect(last.text).toContain('<draft>\nLyon, I think.\n</draft>');
    expect(last.text).toMatch(/do not mention the draft/);
  });
});
