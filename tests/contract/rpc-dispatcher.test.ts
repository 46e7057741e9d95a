import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { RpcDispatcher } from '../../electron/core/rpc/rpc-dispatcher';
import type { Handlers } from '../../electron/core/rpc/handlers';
import { CodedError } from '../../shared/ipc/errors';
import { contract, routeNames } from '../../shared/ipc/contract';
import { StreamPartSchema } from '../../shared/ipc/stream-parts';
import type { ServerMessage } from '../../shared/ipc/wire';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { sleep, waitUntil } from '../support/wait';
import type { StreamView } from '../support/stream-log';

const temp = new TempDirs();
const logger = new RecordingLogger();
let core: Core;
let client: CollectingClient;

beforeAll(async () => {
  requireStoriesModel();
  core = await createCore({
    dataDir: await temp.make('tandem-router-'),
    modelsDirs: [sharedModelsDir],
    mode: 'desktop',
    version: '0.0.0-test',
    logger,
    gpu: false,
  });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await temp.removeAll();
});

/** The invariants every stream must keep, whatever it carried. */
function expectWellFormedStream(view: StreamView): void {
  expect(view.messages.map((m) => m.seq)).toEqual(view.messages.map((_, i) => i));
  expect(view.messages.filter((m) => m.kind === 'end')).toHaveLength(1);
  expect(view.messages.at(-1)?.kind).toBe('end');
  for (const part of view.parts) expect(StreamPartSchema.safeParse(part).success).toBe(true);
}

describe('routing and validation', () => {
  test('an unknown route is UNKNOWN_ROUTE, with the name in the message', async () => {
    for (const route of ['chats.explode', '', 'constructor', '__proto__', 'toString', 42, null]) {
      const result = await client.request(route, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ROUTE', retryable: false } });
    }
    const named = await client.request('chats.explode', {});
    expect(!named.ok && named.error.message).toContain('chats.explode');
  });

  test('invalid input is INVALID_INPUT, with details that point at the field', async () => {
    const result = await client.request('chats.rename', { chatId: 'has spaces!', title: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    const details = result.error.details as { path: string[]; message: string }[];
    expect(details.map((d) => d.path.join('.')).sort()).toEqual(['chatId', 'title']);
    expect(result.error.message).toContain('chatId');

    const extra = await client.request('chats.list', { query: 'x', sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const missing = await client.request('chat.send', { chatId: 'abc', text: '   ' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const wrongType = await client.request('settings.update', { maxTokens: 'lots' });
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  test('every route answers a Result for garbage input, never a throw', async () => {
    for (const route of routeNames) {
      for (const input of [undefined, null, 'text', [1], { chatId: 5 }]) {
        const result = await client.request(route, input);
        expect(result.ok, `${route} accepted ${JSON.stringify(input)}`).toBe(false);
        if (!result.ok) expect(result.error.code).toBe('INVALID_INPUT');
      }
    }
  });

  test('a handler that fails with a coded error answers that code', async () => {
    const missing = await client.request('chats.get', { chatId: 'no-such-chat' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const chat = await client.call('chats.create', {});
    const noModel = await client.request('chat.send', { chatId: chat.id, text: 'hi', modelId: 'not-a-model' });
    expect(noModel).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    // nothing was written for the refused turn
    expect((await client.call('chats.get', { chatId: chat.id })).messages).toEqual([]);
  });

  test('a valid request answers data that matches the route\'s output schema', async () => {
    const info = await client.call('app.info', {});
    expect(contract['app.info'].output.parse(info)).toMatchObject({ name: 'Tandem', mode: 'desktop' });
    const models = await client.call('models.list', {});
    expect(models.map((m) => m.id)).toContain(storiesModelId);
    const settings = await client.call('settings.update', { theme: 'dark' });
    expect(settings.theme).toBe('dark');
    expect(client.messages).toContainEqual({ type: 'event', event: 'settings.changed', payload: settings });
  });
});

describe('handler failures with a handwritten handler set', () => {
  const unused = () => {
    throw new Error('not used in this test');
  };
  // every route answers `unused` unless a test overrides it (stays complete as routes are added)
  const base = Object.fromEntries(routeNames.filter((route) => route !== 'stream.cancel').map((route) => [route, unused])) as unknown as Handlers;

  test('a plain exception becomes INTERNAL without leaking a stack; a coded one keeps its code', async () => {
    const router = new RpcDispatcher(
      {
        ...base,
        'chats.list': () => {
          throw new TypeError('cannot read properties of undefined');
        },
        'settings.get': async () => {
          throw new CodedError('STORAGE_FAILED', 'disk full', { retryable: true });
        },
      },
      new RecordingLogger(),
    );
    const local = new CollectingClient(router);
    const internal = await local.request('chats.list', {});
    expect(internal).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'cannot read properties of undefined', retryable: false } });
    expect(JSON.stringify(internal)).not.toMatch(/\bat .*\.ts:\d+/);
    const storage = await local.request('settings.get', {});
    expect(storage).toMatchObject({ ok: false, error: { code: 'STORAGE_FAILED', message: 'disk full', retryable: true } });
  });

  test('output that breaks the contract is INTERNAL, not passed on', async () => {
    const logs = new RecordingLogger();
    const router = new RpcDispatcher({ ...base, 'chats.list': () => [{ id: 1 }] as never }, logs);
    const result = await new CollectingClient(router).request('chats.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logs.errors().join('\n')).toContain('chats.list');
  });

  test('a stream whose work throws ends once with status failed and the error', async () => {
    const router = new RpcDispatcher(
      {
        ...base,
        'chat.send': async () => ({
          info: { userMessageId: 'u', assistantMessageId: 'a' },
          run: async (emit) => {
            emit({ type: 'text-delta', text: 'partial' });
            throw new CodedError('GENERATION_FAILED', 'the model fell over');
          },
        }),
      },
      new RecordingLogger(),
    );
    const local = new CollectingClient(router);
    const started = await local.call('chat.send', { chatId: 'c', text: 'hi', modelId: 'm' });
    const view = await local.waitForEnd(started.streamId);
    expectWellFormedStream(view);
    expect(view.text).toBe('partial');
    expect(view.end).toMatchObject({ status: 'failed', error: { code: 'GENERATION_FAILED', message: 'the model fell over' } });
    expect(router.activeStreams).toBe(0);
  });

  test('the response with the stream id reaches the client before the first part', async () => {
    const router = new RpcDispatcher(
      {
        ...base,
        'chat.send': async () => ({
          info: { userMessageId: 'u', assistantMessageId: 'a' },
          run: async (emit) => emit({ type: 'finish', reason: 'stop' }),
        }),
      },
      new RecordingLogger(),
    );
    const local = new CollectingClient(router);
    const order: string[] = [];
    const send = local.send.bind(local);
    local.send = (message: ServerMessage) => {
      order.push(message.type);
      send(message);
    };
    await router.handleMessage({ type: 'request', id: 7, route: 'chat.send', input: { chatId: 'c', text: 'x', modelId: 'm' } }, local);
    await waitUntil(() => order.includes('stream') && order.length >= 3, 'the stream');
    expect(order[0]).toBe('response');
  });

  test('cancelling another client\'s stream does nothing', async () => {
    let release!: () => void;
    const router = new RpcDispatcher(
      {
        ...base,
        'chat.send': async () => ({
          info: { userMessageId: 'u', assistantMessageId: 'a' },
          run: (_emit, signal) => new Promise<void>((resolve) => {
            release = resolve;
            signal.addEventListener('abort', () => resolve());
          }),
        }),
      },
      new RecordingLogger(),
    );
    const owner = new CollectingClient(router);
    const stranger = new CollectingClient(router);
    const started = await owner.call('chat.send', { chatId: 'c', text: 'x', modelId: 'm' });
    expect(await stranger.call('stream.cancel', { streamId: started.streamId })).toEqual({ cancelled: false });
    await waitUntil(() => release !== undefined, 'the stream to start');
    release();
    expect((await owner.waitForEnd(started.streamId)).end?.status).toBe('completed');
    expect(await owner.call('stream.cancel', { streamId: started.streamId })).toEqual({ cancelled: false });
  });
});

describe('chat streams with the real model', () => {
  test('parts arrive in order, seq 0..n with no gaps, and exactly one end comes last', async () => {
    await client.call('settings.update', { maxTokens: 40 });
    const chat = await client.call('chats.create', {});
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId });
    expect(started.info.userMessageId).not.toBe(started.info.assistantMessageId);
    const view = await client.waitForEnd(started.streamId);
    expectWellFormedStream(view);
    expect(view.end?.status).toBe('completed');
    expect(view.text.length).toBeGreaterThan(0);
    const types = view.parts.map((p) => p.type);
    expect(types.at(-1)).toBe('finish');
    expect(types.filter((t) => t === 'finish')).toHaveLength(1);
    const usage = view.parts.find((p) => p.type === 'usage');
    expect(usage?.type === 'usage' && usage.usage.outputTokens).toBe(40);
    expect(view.parts.at(-1)).toEqual({ type: 'finish', reason: 'length' });

    // what was streamed is what was saved
    const saved = await client.call('chats.get', { chatId: chat.id });
    expect(saved.messages.map((m) => [m.id, m.role, m.status])).toEqual([
      [started.info.userMessageId, 'user', 'complete'],
      [started.info.assistantMessageId, 'assistant', 'complete'],
    ]);
    expect(saved.messages[1]).toMatchObject({ text: view.text, finishReason: 'length', usage: { outputTokens: 40 }, modelId: storiesModelId });
    expect(saved.title).toBe('Once upon a time');
    expect(client.messages).toContainEqual({ type: 'event', event: 'chats.changed', payload: { chatId: chat.id } });
  });

  test('stream.cancel ends the stream as cancelled and saves exactly the partial text the client saw', async () => {
    await client.call('settings.update', { maxTokens: 100_000 });
    const chat = await client.call('chats.create', {});
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId });
    await waitUntil(() => client.stream(started.streamId).parts.filter((p) => p.type === 'text-delta').length >= 5, 'some text');

    // another window looking at the chat meanwhile sees the answer as still streaming
    const other = new CollectingClient(core.rpc);
    expect((await other.call('chats.get', { chatId: chat.id })).messages[1]).toMatchObject({ status: 'streaming' });
    other.close();

    // a second turn in the same chat is refused while this one runs
    const conflict = await client.request('chat.send', { chatId: chat.id, text: 'again', modelId: storiesModelId });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const cancelledAt = Date.now();
    expect(await client.call('stream.cancel', { streamId: started.streamId })).toEqual({ cancelled: true });
    const view = await client.waitForEnd(started.streamId, 10_000);
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expectWellFormedStream(view);
    expect(view.end?.status).toBe('cancelled');
    expect(view.parts.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
    expect(view.text.length).toBeGreaterThan(0);

    const saved = await client.call('chats.get', { chatId: chat.id });
    const answer = saved.messages.find((m) => m.id === started.info.assistantMessageId);
    expect(answer).toMatchObject({ status: 'cancelled', finishReason: 'cancelled', text: view.text });

    // the chat is free again
    await client.call('settings.update', { maxTokens: 5 });
    const next = await client.call('chat.send', { chatId: chat.id, text: 'The end', modelId: storiesModelId });
    expect((await client.waitForEnd(next.streamId)).end?.status).toBe('completed');
  });

  test('a client that goes away stops its stream, and the answer is saved as cancelled', async () => {
    await client.call('settings.update', { maxTokens: 100_000 });
    const leaving = new CollectingClient(core.rpc);
    const chat = await leaving.call('chats.create', {});
    const started = await leaving.call('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId });
    await waitUntil(() => leaving.stream(started.streamId).text.length > 0, 'some text');
    leaving.close();
    await waitUntil(() => core.rpc.activeStreams === 0, 'the stream to stop');
    // the end record is written as the generation winds down; poll the saved chat for it
    let answer;
    for (let i = 0; i < 250; i++) {
      answer = (await client.call('chats.get', { chatId: chat.id })).messages[1];
      if (answer?.status !== 'streaming') break;
      await sleep(20);
    }
    expect(answer?.status).toBe('cancelled');
    expect(answer?.text.length).toBeGreaterThan(0);
  });

  test('no handler error was logged as unexpected during these streams', () => {
    expect(logger.errors()).toEqual([]);
  });
});
