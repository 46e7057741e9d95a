import { CodedError } from '../../../shared/ipc/errors';
import { SOUP_ANSWERS, type Puzzle, type SoupAnswer } from '../../../shared/ipc/routes/soup';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import { generateText, jsonField } from './model-call';

/** The host's reply schema: one of the four answers and nothing else (a grammar on local models, response_format on cloud ones). */
export const HOST_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: { answer: { type: 'string', enum: [...SOUP_ANSWERS] } },
  required: ['answer'],
  additionalProperties: false,
};

/** `{"answer": "yes-and-no"}` is about 10 tokens in a normal vocabulary; a tiny one spells it out. */
export const HOST_MAX_TOKENS = 48;

/** The host's system prompt: the whole puzzle, and the rule that it may only say yes, no, irrelevant, or yes and no. */
export function hostSystemPrompt(puzzle: Pick<Puzzle, 'surface' | 'hidden' | 'keyFacts'>, reply: 'json' | 'word' = 'json'): string {
  return [
    'You host a Turtle Soup puzzle. The player knows the surface and asks questions to find the secret story.',
    `Surface: ${puzzle.surface}`,
    `Secret story: ${puzzle.hidden}`,
    `Key facts: ${puzzle.keyFacts.join('; ')}`,
    'Answer each question by the secret story: yes (true), no (false), irrelevant (does not matter), or yes-and-no (partly true). Never explain or hint.',
    reply === 'json'
      ? 'Reply with JSON only: {"answer": "yes" | "no" | "irrelevant" | "yes-and-no"}'
      : 'Reply with exactly one word and nothing else: yes, no, irrelevant or yes-and-no',
  ].join('\n');
}

export function hostRequest(puzzle: Pick<Puzzle, 'surface' | 'hidden' | 'keyFacts'>, question: string): GenerateRequest {
  return {
    systemPrompt: hostSystemPrompt(puzzle),
    messages: [{ role: 'user', text: question }],
    responseFormat: { type: 'json_schema', schema: HOST_SCHEMA },
    maxTokens: HOST_MAX_TOKENS,
    temperature: 0,
  };
}

/** One of the four answers in a reply (JSON, or a bare word from a model that ignored the schema), else null. */
export function parseHostAnswer(text: string): SoupAnswer | null {
  const field = jsonField(text, 'answer');
  const raw = (typeof field === 'string' ? field : text).trim().toLowerCase().replace(/[."'!]/g, '');
  const word = raw.replace(/\s+and\s+/g, '-and-').replace(/\s+/g, '-');
  return (SOUP_ANSWERS as readonly string[]).includes(word) ? (word as SoupAnswer) : null;
}

/**
 * Asks the host one question. A reply that is not one of the four answers is
 * asked once more (of `retryModel`, the same model without the response
 * cache, when given); a second bad reply is refused (BAD_RESPONSE), so nothing
 * else a model says can reach the player.
 */
export async function askHost(
  model: LanguageModel,
  puzzle: Pick<Puzzle, 'surface' | 'hidden' | 'keyFacts'>,
  question: string,
  signal: AbortSignal,
  retryModel: () => Promise<LanguageModel> = async () => model,
): Promise<SoupAnswer> {
  const request = hostRequest(puzzle, question);
  const first = parseHostAnswer(await generateText(model, request, signal));
  if (first) return first;
  const second = parseHostAnswer(await generateText(await retryModel(), request, signal));
  if (second) return second;
  throw new CodedError('BAD_RESPONSE', `The host (${model.id}) did not answer with yes, no, irrelevant or yes-and-no, twice. Try again or pick another host model.`);
}
