import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import type { Usage } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../models/language-model';

/** What a judge scores: an answer to a question, against a rubric (and a reference answer when there is one). */
export interface JudgeInput {
  question: string;
  answer: string;
  rubric: string;
  reference?: string;
}

export interface JudgeVerdict {
  /** 0–1: (raw − 1) / 9. */
  score: number;
  /** 1–10, as the judge gave it. */
  raw: number;
  /** The judge's one-line reason. */
  reason: string;
}

/** The rubric best of N uses when the chat sets none. */
export const DEFAULT_RUBRIC = 'Correct, complete, clear and directly answers the question.';

/** Longest reason the grammar allows (characters); keeps a small model's reply short and inside maxTokens. */
const REASON_CHARS = 160;
/** Enough for `{"score": 10, "reason": "…160 characters…"}` even in a tiny vocabulary (about a character a token). */
const JUDGE_MAX_TOKENS = 256;
/** Longest question, answer or reference put into the judge's prompt (characters); the rest is cut with a note. */
const FIELD_CHARS = 6000;

const SCORES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

/**
 * The verdict's JSON schema. Local models generate under a grammar made from
 * it (node-llama-cpp ignores minimum/maximum, so the score is an enum as
 * well, which a grammar enforces exactly); cloud models get it as
 * `response_format` and may or may not honour it.
 */
export const JUDGE_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    score: { type: 'integer', enum: [...SCORES], minimum: 1, maximum: 10 },
    reason: { type: 'string', maxLength: REASON_CHARS },
  },
  required: ['score', 'reason'],
  additionalProperties: false,
};

const VerdictSchema = z.object({
  score: z.coerce.number().finite(),
  reason: z.string().optional().default(''),
});

const SYSTEM =
  'You are a strict, fair judge. You score one answer to a question against a rubric on a scale from 1 (useless or wrong) to 10 (fully meets the rubric). ' +
  `Reply with JSON only: {"score": <integer 1-10>, "reason": "<one short sentence, at most ${REASON_CHARS} characters>"}.`;

/** Greedy by default; a seed and a temperature sample other verdicts. */
export interface JudgeSampling {
  temperature?: number;
  seed?: number;
}

/** The judge's request: one user message holding the question, the rubric, the reference and the answer. */
export function judgeRequest(input: JudgeInput, sampling: JudgeSampling = {}): GenerateRequest {
  const parts = [
    `Question:\n${clip(input.question)}`,
    `Rubric:\n${clip(input.rubric || DEFAULT_RUBRIC)}`,
    ...(input.reference ? [`Reference answer:\n${clip(input.reference)}`] : []),
    `Answer to score:\n${clip(input.answer) || '(empty)'}`,
    'Score the answer.',
  ];
  return {
    systemPrompt: SYSTEM,
    messages: [{ role: 'user', text: parts.join('\n\n') }],
    responseFormat: { type: 'json_schema', schema: JUDGE_SCHEMA },
    maxTokens: JUDGE_MAX_TOKENS,
    temperature: sampling.temperature ?? 0,
    ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
  };
}

/**
 * Asks `model` to score an answer (grammar-constrained JSON on local
 * models). Throws BAD_RESPONSE when the reply is not a verdict (a cloud model
 * may ignore the schema), CANCELLED when `signal` aborts, and the model's own
 * coded error when it fails.
 */
export async function judgeAnswer(model: LanguageModel, input: JudgeInput, signal: AbortSignal, sampling?: JudgeSampling): Promise<JudgeVerdict> {
  return (await judgeAnswerWithUsage(model, input, signal, sampling)).verdict;
}

/** `judgeAnswer` plus what the judge call used (for a judge step's stats). */
export async function judgeAnswerWithUsage(
  model: LanguageModel,
  input: JudgeInput,
  signal: AbortSignal,
  sampling?: JudgeSampling,
): Promise<{ verdict: JudgeVerdict; usage: Usage | null; text: string }> {
  let text = '';
  let usage: Usage | null = null;
  let cancelled = false;
  for await (const part of model.stream(judgeRequest(input, sampling), { signal })) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'usage') usage = part.usage;
    else if (part.type === 'finish' && part.reason === 'cancelled') cancelled = true;
    else if (part.type === 'error') throw new CodedError(part.code, part.message, { retryable: part.retryable });
  }
  if (cancelled || signal.aborted) throw new CodedError('CANCELLED', 'The judge was stopped');
  return { verdict: parseVerdict(text, model.id), usage, text };
}

/**
 * A verdict from the judge's reply: JSON (possibly wrapped in a code fence or
 * prose), else — a reply cut short by the token limit — the score it began
 * with. The raw score is rounded and clamped to 1–10.
 */
export function parseVerdict(text: string, modelId = 'the judge'): JudgeVerdict {
  const parsed = parseJson(text);
  let raw: number | null = null;
  let reason = '';
  if (parsed !== undefined) {
    const verdict = VerdictSchema.safeParse(parsed);
    if (verdict.success) {
      raw = verdict.data.score;
      reason = verdict.data.reason;
    }
  }
  if (raw === null) {
    // Cut short inside the reason: the score came first and is complete.
    const started = /^\s*(?:```(?:json)?\s*)?\{\s*"score"\s*:\s*(\d{1,2})\s*,\s*"reason"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(text);
    if (started) {
      raw = Number(started[1]);
      reason = unescape(started[2] ?? '');
    }
  }
  if (raw === null || !Number.isFinite(raw)) {
    const shown = text.trim().slice(0, 120) || '(nothing)';
    throw new CodedError('BAD_RESPONSE', `${modelId} did not answer with a score as JSON ({"score": 1-10, "reason": "…"}); it said: ${shown}`);
  }
  const clamped = Math.min(10, Math.max(1, Math.round(raw)));
  return { score: (clamped - 1) / 9, raw: clamped, reason: reason.replace(/\s+/g, ' ').trim().slice(0, REASON_CHARS) };
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed, trimmed.replace(/^```(?:json)?\s*/i, '').replace(/```\s*$/, '')];
  const start = trimmed.indexOf('{');
  const end = trimmed.lastIndexOf('}');
  if (start >= 0 && end > start) candidates.push(trimmed.slice(start, end + 1));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function unescape(fragment: string): string {
  try {
    return JSON.parse(`"${fragment.replace(/\\u[0-9a-fA-F]{0,3}$/, '').replace(/\\$/, '')}"`) as string;
  } catch {
    return fragment;
  }
}

function clip(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= FIELD_CHARS ? trimmed : `${trimmed.slice(0, FIELD_CHARS)}… (cut)`;
}
