import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { ensureUiBuilt, startServe, type ServeProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { sleep, waitUntil } from '../support/wait';
import { TandemWsClient, wsUrl } from '../support/ws-client';

/**
 * `kill -9` while an answer streams, then start again on the same data dir:
 * the conversation is there, the answer is marked interrupted with the text
 * that had been saved, and the store keeps working.
 */

const temp = new TempDirs();
const servers: ServeProcess[] = [];
const clients: TandemWsClient[] = [];

beforeAll(() => {
  requireStoriesModel();
  ensureUiBuilt();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

async function serve(dataDir: string): Promise<{ server: ServeProcess; client: TandemWsClient }> {
  const server = await startServe({ dataDir, modelsDirs: [sharedModelsDir] });
  servers.push(server);
  const client = await TandemWsClient.connect(wsUrl(server.port, server.token));
  clients.push(client);
  return { server, client };
}

describe('a crash in the middle of an answer', () => {
  test('loses at most the last moments of the answer, and nothing else', async () => {
    const dataDir = await temp.make('tandem-crash-');
    const first = await serve(dataDir);
    await first.client.call('settings.update', { maxTokens: 100_000 });
    const chat = await first.client.call('chats.create', {});
    const prompt = 'Once upon a time there was a little dragon';
    const started = await first.client.send({ chatId: chat.id, text: prompt, modelId: storiesModelId });

    // let it stream long enough for several 100 ms persistence flushes
    await waitUntil(() => first.client.stream(started.streamId).parts.filter((p) => p.type === 'text-delta').length >= 10, 'text to stream', 30_000);
    await sleep(600);
    expect(first.client.stream(started.streamId).end).toBeUndefined(); // still streaming when it dies
    first.server.child.kill('SIGKILL');
    const exit = await first.server.exited;
    expect(exit.signal).toBe('SIGKILL');
    await waitUntil(() => first.client.isClosed, 'the socket to drop');
    const received = first.client.stream(started.streamId);
    expect(received.end).toBeUndefined();
    expect(received.text.length).toBeGreaterThan(0);

    const second = await serve(dataDir);
    const listed = await second.client.call('chats.list', {});
    expect(listed.map((c) => c.id)).toEqual([chat.id]);
    const saved = await second.client.call('chats.get', { chatId: chat.id });
    expect(saved.title).toBe(prompt);
    expect(saved.messages).toHaveLength(2);
    const [user, answer] = saved.messages;
    expect(user).toMatchObject({ id: started.info.userMessageId, role: 'user', text: prompt, status: 'complete' });
    expect(answer).toMatchObject({ id: started.info.assistantMessageId, role: 'assistant', status: 'interrupted', modelId: storiesModelId });
    expect(answer!.text.length).toBeGreaterThan(0);
    // Saved text trails the screen by up to one 100 ms save, and the screen trails generation by up to one
    // 16 ms send window: either may be ahead, but they must agree on everything both have.
    const [shorter, longer] = received.text.length <= answer!.text.length ? [received.text, answer!.text] : [answer!.text, received.text];
    expect(longer.startsWith(shorter), `saved ${JSON.stringify(answer!.text)} disagrees with what was shown ${JSON.stringify(received.text)}`).toBe(true);
    expect(answer!.text.length).toBeGreaterThan(received.text.length / 2);
    // settings written before the crash survived too
    expect((await second.client.call('settings.get', {})).maxTokens).toBe(100_000);

    // the store is fully usable: answer again in the same chat, export it
    await second.client.call('settings.update', { maxTokens: 20 });
    const next = await second.client.send({ chatId: chat.id, text: 'What happened next?', modelId: storiesModelId });
    const view = await second.client.waitForEnd(next.streamId);
    expect(view.end?.status).toBe('completed');
    const after = await second.client.call('chats.get', { chatId: chat.id });
    expect(after.messages.map((m) => m.status)).toEqual(['complete', 'interrupted', 'complete', 'complete']);
    expect(after.messages[3]?.text).toBe(view.text);
    const exported = await second.client.call('chats.export', { chatId: chat.id, format: 'markdown' });
    expect(exported.content).toContain(' — interrupted');
    expect(exported.content).toContain(answer!.text.trim().split('\n')[0]);

    // and a clean stop leaves it all in place for the next start
    expect(await second.server.stop()).toBe(0);
    const third = await serve(dataDir);
    expect((await third.client.call('chats.get', { chatId: chat.id })).messages).toEqual(after.messages);
  });
});
