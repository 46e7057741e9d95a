import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApiCaller, ApiGate, ApiRefusal, ApiRequestRecord } from '../../electron/core/server/api/api-gate';
import { FAKE_REPLY } from '../fixtures/fake-openai-server';
import { storiesModelId } from '../support/paths';
import { API_KEY, BERT_ID, startApiHarness, type ApiHarness } from './api-harness';

/**
 * The official `openai` SDK against Tandem's API server: a real core with
 * stories260K (local), a tiny BERT encoder (embeddings) and the fake
 * OpenAI-compatible cloud as provider `fake` (scripted tool calls).
 */

const REPLY = FAKE_REPLY.join('');
let h: ApiHarness;
let client: OpenAI;

beforeAll(async () => {
  h = await startApiHarness();
  client = new OpenAI({ baseURL: h.url, apiKey: API_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await h?.close();
});

let prompts = 0;
/** A prompt no other test used (so the response cache never answers by accident). */
const fresh = (what: string) => `${what} (#${++prompts})`;

describe('models', () => {
  test('lists local models, provider models and the router; one model by id', async () => {
    const ids = [];
    for await (const model of client.models.list()) {
      expect(model.object).toBe('model');
      expect(typeof model.created).toBe('number');
      expect(typeof model.owned_by).toBe('string');
      ids.push(model.id);
    }
    expect(ids).toEqual(expect.arrayContaining([storiesModelId, BERT_ID, 'fake/gpt-test', 'fake/tools-test', 'auto', 'tandem/auto']));
    const one = await client.models.retrieve('fake/gpt-test');
    expect(one).toMatchObject({ id: 'fake/gpt-test', object: 'model', owned_by: 'fake' });
    await expect(client.models.retrieve('nope/never')).rejects.toMatchObject({ status: 404 });
  });

  test('each model carries its context for orchestrators (extension field `tandem`)', async () => {
    const response = await fetch(`${h.url}/models`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    const list = (await response.json()) as { data: { id: string; tandem?: { id: string; kind: string; capabilities: { embeddings: boolean }; runtime: { pricePerMillion: { input: number | null } } } }[] };
    const byId = new Map(list.data.map((m) => [m.id, m.tandem]));
    expect(byId.get(storiesModelId)).toMatchObject({ id: storiesModelId, kind: 'local', capabilities: { embeddings: false }, runtime: { pricePerMillion: { input: 0 } } });
    expect(byId.get(BERT_ID)).toMatchObject({ kind: 'local', capabilities: { embeddings: true } });
    expect(byId.get('fake/gpt-test')).toMatchObject({ kind: 'cloud' });
    expect(byId.get('auto')).toMatchObject({ kind: 'router' });
    expect(byId.get('tandem/auto')).toMatchObject({ kind: 'router' });
  });
});

describe('chat completions', () => {
  test('a local model answers without streaming, naming itself and counting tokens', async () => {
    const completion = await client.chat.completions.create({ model: storiesModelId, messages: [{ role: 'user', content: fresh('Once upon a time') }], max_tokens: 12 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(storiesModelId);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(completion.choices[0]!.finish_reason);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(12);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  test('a local model streams: role first, text deltas, a finish reason, then usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: storiesModelId,
      messages: [{ role: 'user', content: fresh('The cat') }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.length).toBeGreaterThan(0);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(['stop', 'length']).toContain(finish!.choices[0]!.finish_reason);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.model === storiesModelId && c.object === 'chat.completion.chunk')).toBe(true);
  });

  test('the stream is SSE as curl sees it: data lines, blank-line separated, ending with [DONE]', async () => {
    const response = await fetch(`${h.url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'fake/gpt-test', messages: [{ role: 'user', content: fresh('Hi') }], stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await response.text();
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = raw.split('\n\n').filter(Boolean);
    for (const event of events) expect(event).toMatch(/^data: /);
    const payloads = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as OpenAI.ChatCompletionChunk);
    expect(payloads.map((p) => p.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(payloads.every((p) => p.model === 'fake/gpt-test')).toBe(true);
  });

  test('auto answers with the model it chose, and says why in x-tandem-route (stream and not)', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: fresh('Say hello') }], max_tokens: 8 })
      .withResponse();
    expect(data.model).not.toBe('auto');
    expect([storiesModelId, 'fake/gpt-test', 'fake/tools-test']).toContain(data.model);
    const route = response.headers.get('x-tandem-route');
    expect(route).toContain(data.model);
    expect(route).toMatch(/^auto -> /);

    const streamed = await client.chat.completions
      .create({ model: 'tandem/auto', messages: [{ role: 'user', content: fresh('Say hello again') }], max_tokens: 8, stream: true })
      .withResponse();
    const models = new Set<string>();
    let text = '';
    for await (const chunk of streamed.data) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(models.size).toBe(1);
    const [model] = [...models];
    expect(model).not.toMatch(/auto/);
    expect(streamed.response.headers.get('x-tandem-route')).toContain(model!);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('tools', () => {
  const weather: OpenAI.ChatCompletionTool = {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  };

  test('a tool call comes back as tool_calls; the client runs it and the model answers from the tool message', async () => {
    h.fake.script('api-weather', (body) =>
      (body.messages as { role: string }[]).at(-1)?.role === 'tool'
        ? { text: 'It is sunny in Paris.' }
        : { toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' } }] },
    );
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: fresh('Weather in Paris?') }];
    const first = await client.chat.completions.create({ model: 'fake/api-weather', messages, tools: [weather] });
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call).toMatchObject({ id: 'call_w1', type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse((call as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments)).toEqual({ city: 'Paris' });
    // The provider was offered the tool as the client described it.
    const offered = h.fake.bodies.at(-1) as { tools: { function: { name: string; parameters: unknown } }[] };
    expect(offered.tools[0]!.function).toMatchObject({ name: 'get_weather', parameters: weather.function.parameters });

    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: 'call_w1', content: '{"sky":"sunny"}' });
    const second = await client.chat.completions.create({ model: 'fake/api-weather', messages, tools: [weather] });
    expect(second.choices[0]!.message.content).toBe('It is sunny in Paris.');
    expect(second.choices[0]!.finish_reason).toBe('stop');
    const sent = h.fake.bodies.at(-1) as { messages: { role: string; tool_call_id?: string; content?: unknown; tool_calls?: unknown[] }[] };
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_w1', content: '{"sky":"sunny"}' });
    expect(sent.messages.at(-2)?.tool_calls).toHaveLength(1);
  });

  test('streamed tool calls arrive as tool_calls deltas with an index', async () => {
    h.fake.script('api-weather-stream', () => ({ toolCalls: [{ id: 'call_s1', name: 'get_weather', arguments: { city: 'Oslo' } }] }));
    const stream = await client.chat.completions.create({ model: 'fake/api-weather-stream', messages: [{ role: 'user', content: fresh('Oslo?') }], tools: [weather], stream: true });
    const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(deltas[0]).toMatchObject({ index: 0, id: 'call_s1', type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual({ city: 'Oslo' });
  });

  test('a local model with tools answers without crashing; a required tool gives a call that fits the schema', async () => {
    const free = await client.chat.completions.create({ model: storiesModelId, messages: [{ role: 'user', content: fresh('Weather?') }], tools: [weather], max_tokens: 16 });
    expect(['stop', 'length', 'tool_calls']).toContain(free.choices[0]!.finish_reason);
    const forced = await client.chat.completions.create({
      model: storiesModelId,
      messages: [{ role: 'user', content: fresh('Weather in a city?') }],
      tools: [{ type: 'function', function: { name: 'pick', parameters: { type: 'object', properties: { city: { enum: ['Paris', 'Oslo'] } }, required: ['city'] } } }],
      tool_choice: { type: 'function', function: { name: 'pick' } },
      max_tokens: 64,
    });
    expect(forced.choices[0]!.finish_reason).toBe('tool_calls');
    const call = forced.choices[0]!.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('pick');
    expect(['Paris', 'Oslo']).toContain((JSON.parse(call.function.arguments) as { city: string }).city);
  });
});

describe('JSON output', () => {
  test('json_schema with stories260K: the grammar-constrained answer parses and fits the schema', async () => {
    const completion = await client.chat.completions.create({
      model: storiesModelId,
      messages: [{ role: 'user', content: fresh('Describe a pet') }],
      max_tokens: 200,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'pet', strict: true, schema: { type: 'object', properties: { kind: { enum: ['cat', 'dog'] }, happy: { type: 'boolean' } }, required: ['kind', 'happy'], additionalProperties: false } },
      },
    });
    const parsed = JSON.parse(completion.choices[0]!.message.content!) as { kind: string; happy: boolean };
    expect(['cat', 'dog']).toContain(parsed.kind);
    expect(typeof parsed.happy).toBe('boolean');
  });

  test('json_object gives a JSON object', async () => {
    const completion = await client.chat.completions.create({
      model: storiesModelId,
      messages: [{ role: 'user', content: fresh('Some JSON') }],
      max_tokens: 300,
      response_format: { type: 'json_object' },
    });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const parsed = JSON.parse(completion.choices[0]!.message.content!) as unknown;
    expect(typeof parsed).toBe('object');
    expect(Array.isArray(parsed)).toBe(false);
  });
});

describe('embeddings', () => {
  test('a local encoder embeds strings (float and the SDK default, base64), with usage', async () => {
    const floats = await client.embeddings.create({ model: BERT_ID, input: ['hello the cat', 'the dog and the sun', 'hello the cat'], encoding_format: 'float' });
    expect(floats.object).toBe('list');
    expect(floats.model).toBe(BERT_ID);
    expect(floats.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const width = floats.data[0]!.embedding.length;
    expect(width).toBeGreaterThan(0);
    expect(floats.data.every((d) => d.object === 'embedding' && d.embedding.length === width)).toBe(true);
    expect(floats.data[2]!.embedding).toEqual(floats.data[0]!.embedding);
    expect(floats.data[1]!.embedding).not.toEqual(floats.data[0]!.embedding);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    const single = await client.embeddings.create({ model: BERT_ID, input: 'hello the cat' });
    expect(single.data).toHaveLength(1);
    single.data[0]!.embedding.forEach((value, i) => expect(value).toBeCloseTo(floats.data[0]!.embedding[i]!, 5));
  });

  test('a chat model is refused for embeddings (and an encoder for chat), an unknown one is 404', async () => {
    await expect(client.embeddings.create({ model: storiesModelId, input: 'x' })).rejects.toMatchObject({ status: 400, param: 'model' });
    await expect(client.embeddings.create({ model: 'no-such-encoder', input: 'x' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(client.chat.completions.create({ model: BERT_ID, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 400, param: 'model', code: 'model_not_supported' });
  });
});

describe('responses', () => {
  test('text, then a follow-up through previous_response_id that carries the conversation', async () => {
    const first = await client.responses.create({ model: 'fake/gpt-test', input: fresh('Hello there'), instructions: 'Be brief.' });
    expect(first.object).toBe('response');
    expect(first.status).toBe('completed');
    expect(first.model).toBe('fake/gpt-test');
    expect(first.output_text).toBe(REPLY);
    expect(first.usage!.output_tokens).toBeGreaterThan(0);
    const second = await client.responses.create({ model: 'fake/gpt-test', input: fresh('And again?'), previous_response_id: first.id });
    expect(second.output_text).toBe(REPLY);
    const sent = h.fake.bodies.at(-1) as { messages: { role: string; content: string }[] };
    // As OpenAI does, the earlier instructions are not carried over; the conversation is.
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[1]!.content).toBe(REPLY);
    await expect(client.responses.create({ model: 'fake/gpt-test', input: 'x', previous_response_id: 'resp_unknown' })).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
  });

  test('streams Responses events with a local model', async () => {
    const stream = await client.responses.create({ model: storiesModelId, input: fresh('Once upon a time'), max_output_tokens: 16, stream: true });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | null = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed' || event.type === 'response.incomplete') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types).toContain('response.output_text.done');
    expect(['response.completed', 'response.incomplete']).toContain(types.at(-1));
    expect(text.length).toBeGreaterThan(0);
    expect(completed!.output_text ?? '').toBe(text);
    expect(completed!.model).toBe(storiesModelId);
  });

  test('function tools: a function_call item, then function_call_output through previous_response_id (streamed helper too)', async () => {
    h.fake.script('api-resp-tools', (body) =>
      (body.messages as { role: string }[]).at(-1)?.role === 'tool' ? { text: 'Done: 42.' } : { toolCalls: [{ id: 'call_r1', name: 'lookup', arguments: { q: 'answer' } }] },
    );
    const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }];
    const first = await client.responses.create({ model: 'fake/api-resp-tools', input: fresh('Look it up'), tools });
    const call = first.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_r1', name: 'lookup' });
    expect(JSON.parse(call.arguments)).toEqual({ q: 'answer' });
    const stream = client.responses.stream({
      model: 'fake/api-resp-tools',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_r1', output: '42' }],
      tools,
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Done: 42.');
    const sent = h.fake.bodies.at(-1) as { messages: { role: string; tool_call_id?: string; content?: string }[] };
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_r1', content: '42' });
  });
});

describe('errors', () => {
  test('a bad key is 401 in OpenAI\'s shape', async () => {
    const bad = new OpenAI({ baseURL: h.url, apiKey: 'sk-wrong', maxRetries: 0 });
    const error = await bad.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    const response = await fetch(`${h.url}/models`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  test('a bad body is 400 naming the parameter', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ model: storiesModelId }, 'messages'],
      [{ model: storiesModelId, messages: [{ role: 'user', content: 'x' }], temperature: 5 }, 'temperature'],
      [{ model: storiesModelId, messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n'],
      [{ model: storiesModelId, messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ model: storiesModelId, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages[0].content[0].type'],
    ];
    for (const [body, param] of cases) {
      const error = await client.chat.completions.create(body as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param, type: 'invalid_request_error' });
    }
    const notJson = await fetch(`${h.url}/chat/completions`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}` }, body: '{"model":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  test('an unknown model is 404 model_not_found, and a file path is not a model', async () => {
    for (const model of ['no-such-model', '/etc/passwd.gguf', 'ghost/gpt']) {
      const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error, model).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
    }
  });

  test('a body over 8 MB is 413', async () => {
    const response = await fetch(`${h.url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: storiesModelId, messages: [{ role: 'user', content: 'x'.repeat(9 * 1024 * 1024) }] }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  test('quota exceeded is 429 with Retry-After, and the refusal is recorded', async () => {
    const records: ApiRequestRecord[] = [];
    const refusing: ApiGate = {
      authenticate: (secret): ApiCaller | null => (secret === API_KEY ? { keyId: 'k1', keyName: 'limited' } : null),
      admit: (): ApiRefusal => ({ kind: 'quota', retryAfterSeconds: 3600, message: 'The key "limited" used its 1000 tokens for today.' }),
      record: (_caller, entry) => records.push(entry),
    };
    const other = await h.serve(refusing);
    try {
      const limited = new OpenAI({ baseURL: other.url, apiKey: API_KEY, maxRetries: 0 });
      const { response } = await limited.chat.completions.create({ model: storiesModelId, messages: [{ role: 'user', content: 'x' }] }).withResponse().catch((e: { status: number; headers: Headers; error: unknown }) => ({ response: e }));
      const error = response as unknown as InstanceType<typeof OpenAI.RateLimitError>;
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.status).toBe(429);
      expect(error.headers.get('retry-after')).toBe('3600');
      expect(error.message).toContain('1000 tokens');
      await new Promise((r) => setTimeout(r, 50));
      expect(records.at(-1)).toMatchObject({ endpoint: 'POST /v1/chat/completions', status: 429, model: null });
    } finally {
      await other.close();
    }
  });

  test('every request is recorded with the model that answered, tokens and status', async () => {
    await client.chat.completions.create({ model: 'fake/gpt-test', messages: [{ role: 'user', content: fresh('Log me') }] });
    await new Promise((r) => setTimeout(r, 50));
    const entry = h.gate.recent().findLast((e) => e.endpoint === 'POST /v1/chat/completions')!;
    expect(entry).toMatchObject({ keyName: 'test', model: 'fake/gpt-test', status: 200, outputTokens: FAKE_REPLY.length });
    expect(entry.inputTokens).toBeGreaterThan(0);
    expect(entry.durationMs).toBeGreaterThan(0);
  });
});

describe('response cache', () => {
  test('the same request twice is answered from the cache the second time, and says so', async () => {
    const body = { model: 'fake/gpt-test', messages: [{ role: 'user' as const, content: fresh('Cache me') }] };
    const before = h.fake.count('gpt-test');
    const first = await client.chat.completions.create(body).withResponse();
    const second = await client.chat.completions.create(body).withResponse();
    expect(h.fake.count('gpt-test')).toBe(before + 1);
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    expect(first.response.headers.get('x-tandem-cache')).toBeNull();
    expect(second.response.headers.get('x-tandem-cache')).toBe('hit');
  });
});

describe('completions (legacy)', () => {
  test('plain text completion, stream and not', async () => {
    const plain = await client.completions.create({ model: 'fake/gpt-test', prompt: fresh('Say') });
    expect(plain.object).toBe('text_completion');
    expect(plain.choices[0]!.text).toBe(REPLY);
    const stream = await client.completions.create({ model: storiesModelId, prompt: fresh('Once'), max_tokens: 8, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text.length).toBeGreaterThan(0);
  });
});
