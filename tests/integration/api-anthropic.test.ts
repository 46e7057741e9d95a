import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FAKE_REPLY } from '../fixtures/fake-openai-server';
import { storiesModelId } from '../support/paths';
import { API_KEY, startApiHarness, type ApiHarness } from './api-harness';

/**
 * The official `@anthropic-ai/sdk` against Tandem's `/v1/messages`: a local
 * model (stories260K) and the fake cloud (scripted tool calls) answer in
 * Anthropic's shape, streamed (Anthropic's event names) and not.
 */

const REPLY = FAKE_REPLY.join('');
let h: ApiHarness;
let client: Anthropic;

beforeAll(async () => {
  h = await startApiHarness();
  client = new Anthropic({ baseURL: h.origin, apiKey: API_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await h?.close();
});

let prompts = 0;
const fresh = (what: string) => `${what} (#${++prompts})`;

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('messages', () => {
  test('without streaming: text content, end_turn, usage, and the model that answered', async () => {
    const message = await client.messages.create({ model: 'fake/gpt-test', max_tokens: 64, system: 'Be kind.', messages: [{ role: 'user', content: fresh('Hello') }] });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('fake/gpt-test');
    expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(FAKE_REPLY.length);
    const sent = h.fake.bodies.at(-1) as { messages: { role: string; content: string }[] };
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Be kind.' });
  });

  test('a local model that runs out of tokens stops with max_tokens', async () => {
    const message = await client.messages.create({ model: storiesModelId, max_tokens: 4, messages: [{ role: 'user', content: fresh('Once upon a time') }] });
    expect(message.model).toBe(storiesModelId);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBeLessThanOrEqual(4);
    expect(message.content[0]).toMatchObject({ type: 'text' });
  });

  test('streaming with a local model: Anthropic\'s events, and the SDK assembles the message', async () => {
    const stream = client.messages.stream({ model: storiesModelId, max_tokens: 16, messages: [{ role: 'user', content: fresh('The dog') }] });
    const events: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => events.push(event.type));
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_start');
    expect(events).toContain('content_block_delta');
    expect(events).toContain('content_block_stop');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(text.length).toBeGreaterThan(0);
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text })]);
    expect(['end_turn', 'max_tokens']).toContain(final.stop_reason);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  test('the raw stream uses event names and data lines', async () => {
    const response = await fetch(`${h.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/gpt-test', max_tokens: 32, stream: true, messages: [{ role: 'user', content: fresh('Hi') }] }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter(Boolean);
    const names = events.map((e) => /^event: (\S+)\ndata: /.exec(e)?.[1]);
    expect(names).toEqual(['message_start', 'content_block_start', ...FAKE_REPLY.map(() => 'content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    for (const event of events) {
      const [, name] = /^event: (\S+)/.exec(event)!;
      expect((JSON.parse(event.split('\ndata: ')[1]!) as { type: string }).type).toBe(name);
    }
  });
});

describe('tools', () => {
  test('tool_use blocks and stop_reason tool_use; the tool_result goes back and the model answers (not streamed)', async () => {
    h.fake.script('anthropic-weather', (body) =>
      (body.messages as { role: string }[]).at(-1)?.role === 'tool' ? { text: 'Sunny in Rome.' } : { toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: { city: 'Rome' } }] },
    );
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: fresh('Weather in Rome?') }];
    const first = await client.messages.create({ model: 'fake/anthropic-weather', max_tokens: 64, tools: [weather], messages });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toEqual({ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Rome' } });
    messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'sunny, 24C' }] });
    const second = await client.messages.create({ model: 'fake/anthropic-weather', max_tokens: 64, tools: [weather], messages });
    expect(second.content).toEqual([{ type: 'text', text: 'Sunny in Rome.' }]);
    expect(second.stop_reason).toBe('end_turn');
    const sent = h.fake.bodies.at(-1) as { messages: { role: string; tool_call_id?: string; content?: string; tool_calls?: { function: { name: string } }[] }[]; tools: unknown[] };
    expect(sent.messages.at(-2)?.tool_calls?.[0]?.function.name).toBe('get_weather');
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'toolu_01', content: 'sunny, 24C' });
    expect(sent.tools).toHaveLength(1);
  });

  test('streamed tool use: input_json_delta assembled by the SDK', async () => {
    h.fake.script('anthropic-weather-stream', () => ({ text: 'Let me check.', toolCalls: [{ id: 'toolu_02', name: 'get_weather', arguments: { city: 'Lima' } }] }));
    const stream = client.messages.stream({ model: 'fake/anthropic-weather-stream', max_tokens: 64, tools: [weather], messages: [{ role: 'user', content: fresh('Lima?') }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    expect(final.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Lima' } });
  });

  test('a local model with tools and tool_choice any gives a valid tool_use', async () => {
    const message = await client.messages.create({
      model: storiesModelId,
      max_tokens: 64,
      tools: [{ name: 'pick', input_schema: { type: 'object', properties: { city: { enum: ['Paris', 'Oslo'] } }, required: ['city'] } }],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: fresh('Pick a city') }],
    });
    expect(message.stop_reason).toBe('tool_use');
    const use = message.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(['Paris', 'Oslo']).toContain((use.input as { city: string }).city);
  });
});

describe('count_tokens', () => {
  test('estimates the prompt\'s tokens; more text, more tokens', async () => {
    const short = await client.messages.countTokens({ model: storiesModelId, messages: [{ role: 'user', content: 'Hi' }] });
    const long = await client.messages.countTokens({ model: storiesModelId, system: 'Be kind.', messages: [{ role: 'user', content: 'Hi '.repeat(200) }], tools: [weather] });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 150);
  });
});

describe('errors in Anthropic\'s shape', () => {
  test('a bad key is 401 authentication_error', async () => {
    const bad = new Anthropic({ baseURL: h.origin, apiKey: 'wrong', maxRetries: 0 });
    const error = await bad.messages.create({ model: storiesModelId, max_tokens: 4, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  test('max_tokens is required; an unknown model is not_found_error', async () => {
    const missing = await client.messages.create({ model: storiesModelId, messages: [{ role: 'user', content: 'x' }] } as never).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    expect((missing as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
    const unknown = await client.messages.create({ model: 'claude-nope', max_tokens: 4, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
