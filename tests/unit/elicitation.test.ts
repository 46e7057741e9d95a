import { describe, expect, test } from 'vitest';
import { ElicitationService } from '../../electron/core/mcp/elicitation-service';
import { elicitationFields, elicitationProblems, withElicitationDefaults } from '../../shared/ipc/elicitation-form';
import type { ElicitationRequest } from '../../shared/ipc/routes/mcp';

/** The schema of the conformance scenario `elicitation-sep1034-client-defaults`, plus the other kinds a form can ask for. */
const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'User name', default: 'John Doe' },
    age: { type: 'integer', description: 'User age', default: 30, minimum: 0, maximum: 150 },
    score: { type: 'number', default: 95.5 },
    status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', default: true },
    email: { type: 'string', format: 'email', title: 'Email' },
    site: { type: 'string', format: 'uri' },
    born: { type: 'string', format: 'date' },
    hero: { type: 'string', oneOf: [{ const: 'h1', title: 'Superman' }, { const: 'h2', title: 'Wonder Woman' }] },
    pet: { type: 'string', enum: ['p1', 'p2'], enumNames: ['Cats', 'Dogs'] },
    tools: { type: 'array', minItems: 1, maxItems: 2, items: { anyOf: [{ const: 'g', title: 'Guitar' }, { const: 'p', title: 'Piano' }, { const: 'd', title: 'Drums' }] } },
    code: { type: 'string', minLength: 3, maxLength: 5 },
    nested: { type: 'object', properties: {} },
  },
  required: ['email', 'tools'],
};

describe('the form built from a requested schema', () => {
  const fields = elicitationFields(SCHEMA);

  test('every kind becomes a field in order, titled enums keep their labels, what a form cannot ask for is left out', () => {
    expect(fields.map((f) => `${f.name}:${f.kind}`)).toEqual([
      'name:string', 'age:number', 'score:number', 'status:enum', 'verified:boolean', 'email:string', 'site:string',
      'born:string', 'hero:enum', 'pet:enum', 'tools:multi-enum', 'code:string',
    ]);
    expect(fields.find((f) => f.name === 'email')).toMatchObject({ label: 'Email', required: true, format: 'email' });
    expect(fields.find((f) => f.name === 'hero')).toMatchObject({ options: [{ value: 'h1', label: 'Superman' }, { value: 'h2', label: 'Wonder Woman' }] });
    expect(fields.find((f) => f.name === 'pet')).toMatchObject({ options: [{ value: 'p1', label: 'Cats' }, { value: 'p2', label: 'Dogs' }] });
    expect(fields.find((f) => f.name === 'age')).toMatchObject({ integer: true, minimum: 0, maximum: 150, default: 30 });
  });

  test('defaults fill only what the user left out (SEP-1034)', () => {
    expect(withElicitationDefaults(fields, { name: 'Ada', verified: false })).toEqual({
      name: 'Ada',
      age: 30,
      score: 95.5,
      status: 'active',
      verified: false,
    });
  });

  test('each rule of the schema is checked, and values it did not ask for are refused', () => {
    expect(
      elicitationProblems(fields, {
        age: 30.5,
        score: 'high',
        status: 'gone',
        email: 'a@b',
        site: 'not a url',
        born: '2025-02-30',
        hero: 'Superman',
        tools: ['g', 'p', 'd'],
        code: 'ab',
        extra: 'x',
      } as never),
    ).toEqual({
      extra: 'Not asked for',
      age: 'Must be a whole number',
      score: 'Must be a number',
      status: 'Choose one of the options',
      email: 'Must be an email address',
      site: 'Must be a URL (https://…)',
      born: 'Must be a date (YYYY-MM-DD)',
      hero: 'Choose one of the options',
      tools: 'Choose at most 2',
      code: 'At least 3 characters',
    });
    expect(elicitationProblems(fields, {})).toEqual({ email: 'Required', tools: 'Required' });
    expect(elicitationProblems(fields, { email: 'ada@example.com', tools: ['g'], born: '2024-02-29', site: 'https://example.com', hero: 'h2', age: 150 })).toEqual({});
  });
});

describe('ElicitationService', () => {
  const params = { mode: 'form' as const, message: 'Who are you?', requestedSchema: SCHEMA as never };

  function service(timeoutMs?: number) {
    const requested: ElicitationRequest[] = [];
    const ended: string[] = [];
    const s = new ElicitationService({ broadcast: (r) => requested.push(r), ended: (id) => ended.push(id), ...(timeoutMs ? { timeoutMs } : {}) });
    return { s, requested, ended };
  }

  test('an accepted empty form goes back with every default (what the conformance scenario checks)', async () => {
    const { s, requested } = service();
    const result = s.handler('srv', { ...params, requestedSchema: { ...SCHEMA, required: [] } as never }, new AbortController().signal);
    expect(s.answer(requested[0]!.requestId, 'accept', {})).toBe(true);
    await expect(result).resolves.toEqual({ action: 'accept', content: { name: 'John Doe', age: 30, score: 95.5, status: 'active', verified: true } });
  });

  test('nobody answering ends as cancel after the timeout, and the UI is told', async () => {
    const { s, requested, ended } = service(50);
    const result = s.handler('srv', params, new AbortController().signal);
    await expect(result).resolves.toEqual({ action: 'cancel' });
    expect(ended).toEqual([requested[0]!.requestId]);
    expect(s.list()).toEqual([]);
    expect(s.answer(requested[0]!.requestId, 'accept', { email: 'a@b.co', tools: ['g'] })).toBe(false);
  });

  test('the server cancelling its request ends it without an answer', async () => {
    const { s, requested, ended } = service();
    const controller = new AbortController();
    const result = s.handler('srv', params, controller.signal);
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ended).toEqual([requested[0]!.requestId]);
    expect(s.answer(requested[0]!.requestId, 'decline')).toBe(false);
  });

  test('an already cancelled call never asks the user', async () => {
    const { s, requested } = service();
    await expect(s.handler('srv', params, AbortSignal.abort())).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(requested).toEqual([]);
  });

  test('shutdown cancels what waits; ids are random and unique', async () => {
    const { s, requested } = service();
    const results = [1, 2, 3].map(() => s.handler('srv', params, new AbortController().signal));
    expect(new Set(requested.map((r) => r.requestId)).size).toBe(3);
    expect(requested[0]!.requestId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    s.dispose();
    await expect(Promise.all(results)).resolves.toEqual([{ action: 'cancel' }, { action: 'cancel' }, { action: 'cancel' }]);
  });
});
