import type { PromptMessage } from '../models/language-model';

/**
 * The refiner's prompt: the conversation, with the draft and what to do with
 * it added to the last user message (so turns still alternate for chat
 * templates that require it).
 */
export function refineMessages(conversation: PromptMessage[], draft: string): PromptMessage[] {
  const last = conversation.findLastIndex((m) => m.role === 'user');
  const question = conversation[last];
  if (question?.role !== 'user') return conversation;
  const text = [
    question.text,
    '',
    '---',
    'A draft answer to the message above follows, between <draft> and </draft>.',
    '<draft>',
    draft.trim(),
    '</draft>',
    'Write the final answer to the message above: correct any errors in the draft, keep what is right, and add what is missing.',
    'Answer me directly, as if you wrote it yourself; do not mention the draft or that it was improved.',
  ].join('\n');
  return [...conversation.slice(0, last), { role: 'user', text }, ...conversation.slice(last + 1)];
}

export const CONDENSE_SYSTEM =
  'You condense numbered sources for another assistant who will answer a question from them. ' +
  'Copy only the facts that help answer the question, each with the [n] marker of the source it comes from, as in the sources. ' +
  'Leave out everything else. Never invent a marker, never merge sources under one marker, and do not answer the question yourself. ' +
  'If nothing helps, write nothing.';

export function condenseMessages(question: string, sources: string[]): PromptMessage[] {
  return [
    {
      role: 'user',
      text: ['Question:', question.trim(), '', 'Sources:', ...sources, '', 'Condensed sources (keep the [n] markers):'].join('\n'),
    },
  ];
}

/**
 * The condense model's output with every [n] that names no retrieved source
 * removed (a small model may invent markers), and the markers it kept.
 */
export function verifyMarkers(text: string, known: ReadonlySet<number>): { text: string; kept: number[]; dropped: number[] } {
  const kept = new Set<number>();
  const dropped = new Set<number>();
  const cleaned = text.replace(/\[(\d{1,4})\]/g, (marker, digits: string) => {
    const n = Number(digits);
    if (known.has(n)) {
      kept.add(n);
      return marker;
    }
    dropped.add(n);
    return '';
  });
  return {
    text: cleaned.replace(/[ \t]{2,}/g, ' ').trim(),
    kept: [...kept].sort((a, b) => a - b),
    dropped: [...dropped].sort((a, b) => a - b),
  };
}
