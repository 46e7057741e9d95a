import { describe, expect, test } from 'vitest';
import { ApiError, anthropicErrorBody, apiErrorOf, openAIErrorBody } from '../../../electron/core/server/api/api-errors';
import { ANY_JSON_OBJECT_SCHEMA, ChatCompletionRequestSchema, chatToGenerateRequest } from '../../../electron/core/server/api/chat-request';
import { headerSafe, paramOf, parseBody } from '../../../electron/core/server/api/http-io';
import { ResponseStore } from '../../../electron/core/server/api/response-store';
import { StaticKeyGate } from '../../../electron/core/server/api/static-key-gate';

const chat = (body: Record<string, unknown>) => chatToGenerateRequest(parseBody(ChatCompletionRequestSchema, { model: 'm', ...body }), 99);

describe('model failures as HTTP answers', () => {
  test.each([
    ['BUDGET_EXCEEDED', 402, 'budget_exceeded'],
    ['LOCAL_ONLY', 403, 'local_only'],
    ['RATE_LIMITED', 429, 'rate_limit_exceeded'],
    ['CONTEXT_TOO_LONG', 400, 'context_length_exceeded'],
    ['MODEL_NOT_FOUND', 404, 'model_not_found'],
    ['INVALID_INPUT', 400, 'invalid_request'],
    ['NO_MODEL_AVAILABLE', 503, 'no_model_available'],
    ['AUTH', 502, 'provider_auth'],
    ['GENERATION_FAILED', 500, 'internal_error'],
  ] as const)('%s → %i %s', (code, status, apiCode) => {
    const error = apiErrorOf({ code, message: 'why' });
    expect(error.status).toBe(status);
    expect(error.code).toBe(apiCode);
  });

  test('a provider rate limit carries a Retry-After; a provider key problem is not the client\'s 401', () => {
    expect(apiErrorOf({ code: 'RATE_LIMITED', message: 'slow down' }).retryAfterSeconds).toBeGreaterThan(0);
    expect(apiErrorOf({ code: 'AUTH', message: 'bad provider key' }).status).not.toBe(401);
  });

  test('OpenAI and Anthropic error bodies', () => {
    const error = new ApiError(429, 'Too many', 'rate_limit_error', 'rate_limit_exceeded');
    expect(openAIErrorBody(error)).toEqual({ error: { message: 'Too many', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
    expect(anthropicErrorBody(error)).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Too many' } });
    expect(anthropicErrorBody(new ApiError(402, 'Budget')).error.type).toBe('billing_error');
    expect(anthropicErrorBody(new ApiError(404, 'Nope')).error.type).toBe('not_found_error');
  });
});

describe('chat completion requests', () => {
  test('tool results find the name of the call they answer; developer is system; text parts join', () => {
    const { request, modelId } = chat({
      model: 'tandem/auto',
      messages: [
        { role: 'developer', content: 'Rules' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
    });
    expect(modelId).toBe('auto');
    expect(request.messages).toEqual([
      { role: 'system', text: 'Rules' },
      { role: 'user', text: 'ab' },
      { role: 'assistant', text: '', toolCalls: [{ toolCallId: 'c1', toolName: 'f', args: { x: 1 } }] },
      { role: 'tool', toolCallId: 'c1', toolName: 'f', result: 'done' },
    ]);
    expect(request.maxTokens).toBe(99);
  });

  test('sampling, stop, json_object, tool_choice', () => {
    const base = { messages: [{ role: 'user', content: 'x' }] };
    const sampled = chat({ ...base, temperature: 0.5, top_p: 0.9, max_completion_tokens: 7, max_tokens: 3, stop: 'END', seed: 4 }).request;
    expect(sampled).toMatchObject({ temperature: 0.5, topP: 0.9, maxTokens: 7, stopStrings: ['END'], seed: 4 });
    expect(chat({ ...base, response_format: { type: 'json_object' } }).request.responseFormat).toEqual({ type: 'json_schema', schema: ANY_JSON_OBJECT_SCHEMA });
    const tools = [{ type: 'function', function: { name: 'f' } }];
    expect(chat({ ...base, tools, tool_choice: 'none' }).request.tools).toBeUndefined();
    expect(chat({ ...base, tools, tool_choice: 'required' }).request.toolChoice).toBe('required');
    expect(chat({ ...base, tools, tool_choice: { type: 'function', function: { name: 'f' } } }).request.toolChoice).toEqual({ name: 'f' });
    expect(() => chat({ ...base, tools, tool_choice: { type: 'function', function: { name: 'g' } } })).toThrow(expect.objectContaining({ status: 400, param: 'tool_choice' }));
    expect(() => chat({ ...base, n: 3 })).toThrow(expect.objectContaining({ status: 400, param: 'n' }));
    expect(() => chat({ ...base, tools, response_format: { type: 'json_object' } })).toThrow(expect.objectContaining({ param: 'response_format' }));
  });

  test('validation names the parameter as OpenAI does', () => {
    expect(paramOf(['messages', 0, 'content', 1, 'type'])).toBe('messages[0].content[1].type');
    expect(() => parseBody(ChatCompletionRequestSchema, { model: 'm', messages: [{ role: 'user', content: 'x' }], top_p: 2 })).toThrow(expect.objectContaining({ status: 400, param: 'top_p' }));
    expect(() => parseBody(ChatCompletionRequestSchema, [])).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => chat({ messages: [{ role: 'assistant', content: '', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{' } }] }] })).toThrow(
      expect.objectContaining({ param: 'messages[0].tool_calls[0].function.arguments' }),
    );
  });
});

describe('small pieces', () => {
  test('header values are one line of printable ASCII, bounded', () => {
    expect(headerSafe('auto -> café: fast\r\nX-Evil: 1')).toBe('auto -> cafe: fast X-Evil: 1');
    expect(headerSafe('x'.repeat(1000)).length).toBe(300);
  });

  test('stored responses: least recently used go first; another key cannot read them', () => {
    const store = new ResponseStore(2);
    const entry = (keyId: string) => ({ keyId, messages: [], instructions: null });
    store.put('a', entry('k'));
    store.put('b', entry('k'));
    expect(store.get('a', 'k')).not.toBeNull();
    store.put('c', entry('k'));
    expect(store.get('b', 'k')).toBeNull();
    expect(store.get('a', 'k')).not.toBeNull();
    expect(store.get('a', 'other')).toBeNull();
    expect(store.size).toBe(2);
  });

  test('the static key gate knows one secret and keeps a bounded log', () => {
    const gate = new StaticKeyGate('s3cret', 'cli');
    expect(gate.authenticate('s3cret')).toEqual({ keyId: 'static', keyName: 'cli' });
    expect(gate.authenticate('s3cret ')).toBeNull();
    expect(gate.authenticate(null)).toBeNull();
    expect(gate.admit({ keyId: 'static', keyName: 'cli' })).toBeNull();
    for (let i = 0; i < 600; i++) gate.record(null, { at: '', endpoint: 'GET /v1/models', model: null, inputTokens: 0, outputTokens: 0, costUsd: 0, status: 401, durationMs: i });
    expect(gate.recent()).toHaveLength(500);
    expect(gate.recent().at(-1)).toMatchObject({ durationMs: 599, keyName: null });
    expect(() => new StaticKeyGate('')).toThrow();
  });
});
