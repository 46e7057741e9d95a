import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020';
import type { Grader } from '../../../shared/ipc/routes/lab';
import type { ResponseFormat } from '../models/language-model';

/** A grader's verdict on one answer: a score in 0..1 and what it saw. */
export interface Grade {
  score: number;
  note?: string;
}

/** Graders that need no model (everything but `judge`). */
export type PlainGrader = Exclude<Grader, { type: 'judge' }>;

/** Default tolerance of the number grader: relative to the reference, absolute near zero. */
export const DEFAULT_NUMBER_TOLERANCE = 1e-6;

/** The request's output format for a grader: a JSON-schema task asks for grammar-constrained JSON. */
export function responseFormatFor(grader: Grader): ResponseFormat | undefined {
  return grader.type === 'json-schema' ? { type: 'json_schema', schema: grader.schema } : undefined;
}

/** Whether a grader needs the task's reference to score anything. */
export function needsReference(grader: Grader): boolean {
  return grader.type === 'exact' || grader.type === 'contains' || grader.type === 'number';
}

/**
 * Why a grader cannot be used (an invalid regex, a schema that does not
 * compile, a reference the grader needs and the task lacks); null when fine.
 */
export function graderProblem(grader: Grader, reference: string | undefined): string | null {
  if (needsReference(grader) && (reference === undefined || reference.trim() === '')) return `the ${grader.type} grader needs a reference answer`;
  if (grader.type === 'number' && reference !== undefined && firstNumber(reference) === null) return `the reference "${clip(reference)}" holds no number`;
  if (grader.type === 'regex') {
    try {
      new RegExp(grader.pattern, grader.flags ?? '');
    } catch (error) {
      return `invalid regex: ${(error as Error).message}`;
    }
  }
  if (grader.type === 'json-schema') {
    try {
      compileSchema(grader.schema);
    } catch (error) {
      return `invalid JSON schema: ${(error as Error).message}`;
    }
  }
  return null;
}

/** Scores an answer with a grader that needs no model. Never throws: a grader that cannot run scores 0 and says why. */
export function gradeAnswer(grader: PlainGrader, answer: string, reference: string | undefined): Grade {
  switch (grader.type) {
    case 'exact':
      return gradeExact(answer, reference, grader.caseSensitive ?? false);
    case 'contains':
      return gradeContains(answer, reference);
    case 'regex':
      return gradeRegex(answer, grader.pattern, grader.flags);
    case 'json-schema':
      return gradeJsonSchema(answer, grader.schema);
    case 'number':
      return gradeNumber(answer, reference, grader.tolerance);
  }
}

function noReference(type: string): Grade {
  return { score: 0, note: `no reference answer to compare with (${type})` };
}

/** Trimmed, without one trailing period, and lower-cased unless case matters. */
function normalise(text: string, caseSensitive: boolean): string {
  const trimmed = text.trim().replace(/\.$/, '').trim();
  return caseSensitive ? trimmed : trimmed.toLowerCase();
}

export function gradeExact(answer: string, reference: string | undefined, caseSensitive = false): Grade {
  if (reference === undefined) return noReference('exact');
  const match = normalise(answer, caseSensitive) === normalise(reference, caseSensitive);
  return match ? { score: 1 } : { score: 0, note: `expected "${clip(reference.trim())}"` };
}

export function gradeContains(answer: string, reference: string | undefined): Grade {
  if (reference === undefined || reference.trim() === '') return noReference('contains');
  const match = answer.toLowerCase().includes(reference.trim().toLowerCase());
  return match ? { score: 1 } : { score: 0, note: `"${clip(reference.trim())}" not found in the answer` };
}

/** The most characters of an answer a regex grader looks at. */
export const REGEX_INPUT_LIMIT = 20_000;

export function gradeRegex(answer: string, pattern: string, flags?: string): Grade {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags ?? '');
  } catch (error) {
    return { score: 0, note: `invalid regex: ${(error as Error).message}` };
  }
  // A regex runs on at most the first REGEX_INPUT_LIMIT characters: a backtracking pattern on a long answer could freeze the process.
  return regex.test(answer.length > REGEX_INPUT_LIMIT ? answer.slice(0, REGEX_INPUT_LIMIT) : answer) ? { score: 1 } : { score: 0, note: `no match for /${clip(pattern)}/${flags ?? ''}` };
}

export function gradeJsonSchema(answer: string, schema: Record<string, unknown>): Grade {
  const parsed = parseJsonAnswer(answer);
  if (!parsed.ok) return { score: 0, note: parsed.message };
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema);
  } catch (error) {
    return { score: 0, note: `invalid JSON schema: ${(error as Error).message}` };
  }
  if (validate(parsed.value)) return { score: 1 };
  const first = validate.errors?.[0];
  const where = first?.instancePath ? `${first.instancePath} ` : '';
  return { score: 0, note: `not valid against the schema: ${where}${first?.message ?? 'invalid'}` };
}

export function gradeNumber(answer: string, reference: string | undefined, tolerance?: number): Grade {
  if (reference === undefined) return noReference('number');
  const expected = firstNumber(reference);
  if (expected === null) return { score: 0, note: `the reference "${clip(reference)}" holds no number` };
  const got = firstNumber(answer);
  if (got === null) return { score: 0, note: 'no number in the answer' };
  // A given tolerance is absolute; the default is relative to the reference (absolute below 1).
  const allowed = tolerance ?? DEFAULT_NUMBER_TOLERANCE * Math.max(1, Math.abs(expected));
  const within = Math.abs(got - expected) <= allowed;
  return { score: within ? 1 : 0, note: within ? `read ${got}` : `read ${got}, expected ${expected}` };
}

/**
 * The answer as JSON: the whole text, or the body of a ```json fence, or the
 * outermost {...} / [...] in it.
 */
export function parseJsonAnswer(answer: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const trimmed = answer.trim();
  if (trimmed === '') return { ok: false, message: 'the answer is empty, not JSON' };
  const candidates = [trimmed];
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(trimmed);
  if (fence) candidates.push(fence[1]!.trim());
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ] as const) {
    const start = trimmed.indexOf(open);
    const end = trimmed.lastIndexOf(close);
    if (start >= 0 && end > start) candidates.push(trimmed.slice(start, end + 1));
  }
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch (error) {
      firstError ||= (error as Error).message;
    }
  }
  return { ok: false, message: `the answer is not JSON (${firstError})` };
}

const NUMBER = /[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+−]?\.\d+(?:[eE][-+]?\d+)?/;

/** The first number written in a text ("1,234.5", "-3", "2e-3", "−7"); null when none. */
export function firstNumber(text: string): number | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  const value = Number(match[0].replace(/,/g, '').replace('−', '-'));
  return Number.isFinite(value) ? value : null;
}

const compiled = new Map<string, ValidateFunction>();
let draft7: Ajv | null = null;
let draft2020: Ajv2020 | null = null;

/** A compiled validator for a schema (draft-07 by default; 2019-09 and 2020-12 when the schema says so). Throws when it does not compile. */
function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached) return cached;
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const modern = /draft\/20(19-09|20-12)/.test(dialect);
  // Unknown formats and keywords are ignored rather than refused: a task set should not fail on an annotation.
  const options = { strict: false, validateFormats: false, allErrors: false } as const;
  const ajv = modern ? (draft2020 ??= new Ajv2020(options)) : (draft7 ??= new Ajv(options));
  // The dialect is chosen above; a top-level $id would clash between two sets that reuse it.
  const { $schema: _dialect, $id: _id, ...body } = schema;
  const validate = ajv.compile(body);
  if (compiled.size > 500) compiled.clear();
  compiled.set(key, validate);
  return validate;
}

function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
