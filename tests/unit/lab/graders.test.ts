import { describe, expect, test } from 'vitest';
import {
  firstNumber,
  gradeAnswer,
  gradeContains,
  gradeExact,
  gradeJsonSchema,
  gradeNumber,
  gradeRegex,
  graderProblem,
  parseJsonAnswer,
  responseFormatFor,
} from '../../../electron/core/lab/graders';

describe('exact', () => {
  test.each([
    ['Paris', 'Paris', 1],
    ['  paris\n', 'Paris', 1],
    ['Paris.', 'Paris', 1],
    ['PARIS', 'paris.', 1],
    ['Paris, France', 'Paris', 0],
    ['Lyon', 'Paris', 0],
    ['', 'Paris', 0],
    ['Paris..', 'Paris', 0], // only one trailing period is forgiven
  ])('%j against %j scores %d', (answer, reference, score) => {
    expect(gradeExact(answer, reference).score).toBe(score);
  });

  test('caseSensitive compares case (still trimmed, still without the trailing period)', () => {
    expect(gradeAnswer({ type: 'exact', caseSensitive: true }, 'paris', 'Paris').score).toBe(0);
    expect(gradeAnswer({ type: 'exact', caseSensitive: true }, ' Paris. ', 'Paris').score).toBe(1);
  });

  test('a miss says what was expected; no reference scores 0 and says so', () => {
    expect(gradeExact('Lyon', 'Paris').note).toContain('Paris');
    expect(gradeExact('Paris', undefined)).toEqual({ score: 0, note: expect.stringContaining('no reference') });
  });
});

describe('contains', () => {
  test('case-insensitive substring of the trimmed reference', () => {
    expect(gradeContains('The capital is PARIS, of course.', ' paris ').score).toBe(1);
    expect(gradeContains('The capital is Lyon.', 'Paris')).toEqual({ score: 0, note: expect.stringContaining('"Paris" not found') });
    expect(gradeContains('anything', '').score).toBe(0);
    expect(gradeContains('anything', undefined).score).toBe(0);
  });
});

describe('regex', () => {
  test('matches with its flags', () => {
    expect(gradeRegex('Answer: 42', '^answer:\\s*\\d+$', 'i').score).toBe(1);
    expect(gradeRegex('Answer: 42', '^answer:\\s*\\d+$').score).toBe(0);
    expect(gradeRegex('line one\nline two', '^line two$', 'm').score).toBe(1);
    expect(gradeRegex('a\nb', 'a.b', 's').score).toBe(1);
  });

  test('an invalid pattern scores 0 with the reason instead of throwing', () => {
    const grade = gradeRegex('x', '(unclosed');
    expect(grade.score).toBe(0);
    expect(grade.note).toMatch(/invalid regex/);
  });
});

describe('json-schema', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
    required: ['name', 'age'],
    additionalProperties: false,
  };

  test('valid JSON that matches scores 1, bare or inside a ```json fence or surrounding prose', () => {
    expect(gradeJsonSchema('{"name": "Ada", "age": 36}', schema).score).toBe(1);
    expect(gradeJsonSchema('```json\n{"name": "Ada", "age": 36}\n```', schema).score).toBe(1);
    expect(gradeJsonSchema('Here you go:\n```\n{"name": "Ada", "age": 36}\n```\nDone.', schema).score).toBe(1);
    expect(gradeJsonSchema('Sure! {"name": "Ada", "age": 36}', schema).score).toBe(1);
  });

  test('JSON that breaks the schema scores 0 and names the problem', () => {
    const missing = gradeJsonSchema('{"name": "Ada"}', schema);
    expect(missing.score).toBe(0);
    expect(missing.note).toMatch(/age/);
    const wrongType = gradeJsonSchema('{"name": "Ada", "age": -1}', schema);
    expect(wrongType).toEqual({ score: 0, note: expect.stringMatching(/\/age .*>= 0/) });
    expect(gradeJsonSchema('{"name": "Ada", "age": 3, "extra": true}', schema).score).toBe(0);
  });

  test('an answer that is not JSON scores 0 and says so', () => {
    expect(gradeJsonSchema('Ada is 36', schema)).toEqual({ score: 0, note: expect.stringMatching(/not JSON/) });
    expect(gradeJsonSchema('', schema)).toEqual({ score: 0, note: expect.stringMatching(/empty/) });
  });

  test('a 2020-12 schema uses that dialect; arrays and $defs work', () => {
    const modern = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'number' }, { type: 'string' }],
      items: false,
    };
    expect(gradeJsonSchema('[1, "a"]', modern).score).toBe(1);
    expect(gradeJsonSchema('[1, "a", 3]', modern).score).toBe(0);
    const defs = { $defs: { n: { type: 'number' } }, type: 'object', properties: { x: { $ref: '#/$defs/n' } } };
    expect(gradeJsonSchema('{"x": 1}', defs).score).toBe(1);
    expect(gradeJsonSchema('{"x": "1"}', defs).score).toBe(0);
  });

  test('unknown formats and keywords are ignored, not fatal; a broken schema is a problem', () => {
    expect(gradeJsonSchema('"not-an-email"', { type: 'string', format: 'email', 'x-note': 1 }).score).toBe(1);
    expect(graderProblem({ type: 'json-schema', schema: { type: 'no-such-type' } }, undefined)).toMatch(/invalid JSON schema/);
    expect(gradeJsonSchema('{}', { type: 'no-such-type' })).toEqual({ score: 0, note: expect.stringMatching(/invalid JSON schema/) });
  });

  test('the request asks for grammar-constrained JSON with the schema; other graders ask for text', () => {
    expect(responseFormatFor({ type: 'json-schema', schema })).toEqual({ type: 'json_schema', schema });
    expect(responseFormatFor({ type: 'exact' })).toBeUndefined();
  });

  test('parseJsonAnswer reads fences with a language tag in upper case too', () => {
    expect(parseJsonAnswer('```JSON\n[1,2]\n```')).toEqual({ ok: true, value: [1, 2] });
  });
});

describe('number', () => {
  test.each([
    ['42', 42],
    ['The answer is 42.', 42],
    ['-3.5 degrees', -3.5],
    ['about 1,234,567 people', 1234567],
    ['2e-3', 0.002],
    ['.5', 0.5],
    ['−7 (a Unicode minus)', -7],
    ['no digits here', null],
  ])('firstNumber(%j) = %j', (text, value) => {
    expect(firstNumber(text)).toBe(value);
  });

  test('the first number within the default tolerance (relative, absolute below 1)', () => {
    expect(gradeNumber('It is 3.14159265', '3.14159265').score).toBe(1);
    expect(gradeNumber('1000000.5', '1000000').score).toBe(1); // 5e-7 relative
    expect(gradeNumber('1000002', '1000000').score).toBe(0);
    expect(gradeNumber('0.0000005', '0').score).toBe(1);
    expect(gradeNumber('0.00001', '0').score).toBe(0);
    expect(gradeNumber('7 then 42', '42')).toEqual({ score: 0, note: 'read 7, expected 42' });
  });

  test('a given tolerance is absolute', () => {
    expect(gradeAnswer({ type: 'number', tolerance: 0.5 }, '3.4', '3').score).toBe(1);
    expect(gradeAnswer({ type: 'number', tolerance: 0.5 }, '3.6', '3').score).toBe(0);
    expect(gradeAnswer({ type: 'number', tolerance: 0 }, '3', '3.0').score).toBe(1);
  });

  test('no number in the answer, or none in the reference, scores 0 with the reason', () => {
    expect(gradeNumber('forty-two', '42')).toEqual({ score: 0, note: 'no number in the answer' });
    expect(gradeNumber('42', 'many').note).toMatch(/holds no number/);
    expect(graderProblem({ type: 'number' }, 'many')).toMatch(/holds no number/);
  });
});

describe('graderProblem', () => {
  test('graders that compare with a reference need one; regex and schema graders must compile', () => {
    expect(graderProblem({ type: 'exact' }, undefined)).toMatch(/needs a reference/);
    expect(graderProblem({ type: 'contains' }, '  ')).toMatch(/needs a reference/);
    expect(graderProblem({ type: 'exact' }, 'Paris')).toBeNull();
    expect(graderProblem({ type: 'regex', pattern: '[a-' }, undefined)).toMatch(/invalid regex/);
    expect(graderProblem({ type: 'regex', pattern: '^a' }, undefined)).toBeNull();
    expect(graderProblem({ type: 'judge', rubric: 'Correct' }, undefined)).toBeNull();
  });
});
