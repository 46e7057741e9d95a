import type { FactVerdict } from '../../../shared/ipc/routes/soup';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import { CodedError } from '../../../shared/ipc/errors';
import { generateText, jsonField } from './model-call';
import { lexicalOverlap } from './lexical';

/** At or above: the guess plainly states the fact, whatever the judge says. */
export const LEXICAL_STRONG = 0.8;
/** At or above, with the judge's yes: both agree. */
export const LEXICAL_AGREE = 0.5;
/** Below: the guess shares (almost) no words with the fact, so a judge's yes alone does not count. */
export const LEXICAL_FLOOR = 0.4;

export const COVERED_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: { covered: { type: 'string', enum: ['yes', 'no'] } },
  required: ['covered'],
  additionalProperties: false,
};

export function coveredRequest(fact: string, guess: string): GenerateRequest {
  return {
    systemPrompt:
      'You judge guesses in a Turtle Soup (situation puzzle) game. Given one key fact of the hidden story and the player\'s guess, ' +
      'say whether the guess states or clearly implies this fact. Reply with JSON only: {"covered": "yes"} or {"covered": "no"}.',
    messages: [{ role: 'user', text: `Key fact:\n${fact}\n\nPlayer's guess:\n${guess}\n\nDoes the guess state or clearly imply this fact?` }],
    responseFormat: { type: 'json_schema', schema: COVERED_SCHEMA },
    maxTokens: 32,
    temperature: 0,
  };
}

/** The judge's yes/no on one fact; null when its reply is neither (twice). */
export async function judgeCovered(model: LanguageModel, fact: string, guess: string, signal: AbortSignal): Promise<boolean | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const value = jsonField(await generateText(model, coveredRequest(fact, guess), signal), 'covered');
    if (value === 'yes' || value === 'no') return value === 'yes';
  }
  return null;
}

/**
 * Combines the judge and the word overlap: found when both agree, when the
 * overlap alone is strong, or when the judge says yes and the guess shares
 * real words with the fact (so a noisy judge cannot find a fact the guess
 * never mentions).
 */
export function combineVerdict(judge: boolean | null, overlap: number): { found: boolean; by: FactVerdict['by'] } {
  if (judge === true && overlap >= LEXICAL_AGREE) return { found: true, by: 'both' };
  if (overlap >= LEXICAL_STRONG) return { found: true, by: 'lexical' };
  if (judge === true && overlap >= LEXICAL_FLOOR) return { found: true, by: 'judge' };
  // Not found: both said no, or the one that said no decided it.
  if (judge === false) return { found: false, by: overlap < LEXICAL_AGREE ? 'both' : 'judge' };
  return { found: false, by: 'lexical' };
}

export interface SolvedFact {
  index: number;
  found: boolean;
  by: FactVerdict['by'];
  overlap: number;
  judge: boolean | null;
}

/** Judges a guess fact by fact. Without a judge model (or when it fails) the word overlap decides. */
export async function judgeGuess(judge: LanguageModel | null, keyFacts: readonly string[], guess: string, signal: AbortSignal): Promise<SolvedFact[]> {
  const verdicts: SolvedFact[] = [];
  for (const [index, fact] of keyFacts.entries()) {
    const overlap = lexicalOverlap(fact, guess, keyFacts);
    let verdict: boolean | null = null;
    if (judge) {
      try {
        verdict = await judgeCovered(judge, fact, guess, signal);
      } catch (error) {
        if (error instanceof CodedError && error.code === 'CANCELLED') throw error;
        verdict = null;
      }
    }
    verdicts.push({ index, ...combineVerdict(verdict, overlap), overlap, judge: verdict });
  }
  return verdicts;
}
