import { describe, expect, test } from 'vitest';
import { RpcDispatcher } from '../../electron/core/rpc/rpc-dispatcher';
import type { Handlers } from '../../electron/core/rpc/handlers';
import { routeNames } from '../../shared/ipc/contract';
import { CollectingClient } from '../support/collecting-client';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The test clients check every streamed part against the contract: a part that breaks it fails the test that reads the stream. */

const unused = () => {
  throw new Error('not used in this test');
};
const base = Object.fromEntries(routeNames.filter((route) => route !== 'stream.cancel').map((route) => [route, unused])) as unknown as Handlers;

function dispatcherEmitting(parts: unknown[]): RpcDispatcher {
  return new RpcDispatcher(
    {
      ...base,
      'chat.send': async () => ({
        info: { userMessageId: 'u', assistantMessageId: 'a' },
        run: async (emit: (part: never) => void) => {
          for (const part of parts) emit(part as never);
        },
      }),
    } as Handlers,
    new RecordingLogger(),
    0,
  );
}

describe('StreamContractCheck in the test clients', () => {
  test('a part that breaks the route’s part schema makes reading the stream throw, naming the part', async () => {
    const client = new CollectingClient(dispatcherEmitting([{ type: 'text-delta', text: 'ok' }, { type: 'text-delta', txt: 'typo' }, { type: 'finish', reason: 'stop' }]));
    const { streamId } = await client.call('chat.send', { chatId: 'c', text: 'hi', modelId: 'm' });
    await waitUntil(() => client.messages.some((m) => m.type === 'stream' && m.kind === 'end'), 'the end');
    expect(() => client.stream(streamId)).toThrow(/chat\.send part \{"type":"text-delta","txt":"typo"\} breaks the contract/);
  });

  test('parts that keep the contract read as before', async () => {
    const client = new CollectingClient(dispatcherEmitting([{ type: 'text-delta', text: 'Hello' }, { type: 'finish', reason: 'stop' }]));
    const { streamId } = await client.call('chat.send', { chatId: 'c', text: 'hi', modelId: 'm' });
    const view = await client.waitForEnd(streamId);
    expect(view.text).toBe('Hello');
    expect(client.contractCheck.violations).toEqual([]);
  });
});
