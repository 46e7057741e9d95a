import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { ChatStore, DEFAULT_CHAT_TITLE, titleFromText } from '../../electron/core/chats/chat-store';
import { exportChat } from '../../electron/core/chats/chat-export';
import { ChatSchema, type ChatMessage } from '../../shared/ipc/domain';
import { TempDirs } from '../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

let dir: string;
let store: ChatStore;

beforeEach(async () => {
  dir = join(await temp.make('tandem-chats-'), 'chats');
  store = new ChatStore(dir);
  await store.init();
});

let clock = Date.now();
function message(role: ChatMessage['role'], text: string, status: ChatMessage['status'] = 'complete'): ChatMessage {
  clock += 1000;
  return {
    id: `m-${clock}`,
    role,
    text,
    createdAt: new Date(clock).toISOString(),
    status,
    modelId: role === 'assistant' ? 'stories' : null,
    finishReason: null,
    usage: null,
    error: null,
  };
}

async function reopen(): Promise<ChatStore> {
  await store.dispose();
  store = new ChatStore(dir);
  await store.init();
  return store;
}

describe('ChatStore', () => {
  test('a new chat is listed, empty, with the default title', async () => {
    const chat = await store.create();
    expect(chat.title).toBe(DEFAULT_CHAT_TITLE);
    expect(store.list().map((c) => c.id)).toEqual([chat.id]);
    const full = await store.get(chat.id);
    expect(ChatSchema.parse(full).messages).toEqual([]);
  });

  test('the first user message names an untitled chat; a titled chat keeps its title', async () => {
    const untitled = await store.create();
    await store.appendMessages(untitled.id, [message('user', '  What is   the capital\nof France?  ')]);
    expect(store.summary(untitled.id).title).toBe('What is the capital of France?');
    const titled = await store.create({ title: 'Geography' });
    await store.appendMessages(titled.id, [message('user', 'Something else')]);
    expect(store.summary(titled.id).title).toBe('Geography');
  });

  test('lists newest first and searches titles case-insensitively', async () => {
    const a = await store.create({ title: 'Cooking pasta' });
    const b = await store.create({ title: 'Travel plans' });
    const c = await store.create({ title: 'PASTA recipes' });
    await store.appendMessages(a.id, [message('user', 'boil water')]); // a becomes the most recently updated
    expect(store.list()[0]?.id).toBe(a.id);
    expect(store.list().map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(store.list('pasta').map((x) => x.title).sort()).toEqual(['Cooking pasta', 'PASTA recipes']);
    expect(store.list('  TRAVEL ').map((x) => x.id)).toEqual([b.id]);
    expect(store.list('nothing like this')).toEqual([]);
  });

  test('rename changes the title everywhere, including after reopening', async () => {
    const chat = await store.create();
    await store.rename(chat.id, 'Renamed');
    expect(store.list('renamed').map((c) => c.id)).toEqual([chat.id]);
    await reopen();
    expect(store.summary(chat.id).title).toBe('Renamed');
  });

  test('delete removes the chat and its folder; asking for it again is NOT_FOUND', async () => {
    const keep = await store.create({ title: 'keep' });
    const doomed = await store.create({ title: 'doomed' });
    await store.appendMessages(doomed.id, [message('user', 'hello')]);
    await store.delete(doomed.id);
    expect(store.list().map((c) => c.id)).toEqual([keep.id]);
    expect(await readdir(dir)).toEqual([keep.id]);
    await expect(store.get(doomed.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.delete(doomed.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await reopen();
    expect(store.list().map((c) => c.id)).toEqual([keep.id]);
  });

  test('a conversation survives closing and reopening the store, streamed text included', async () => {
    const chat = await store.create();
    const user = message('user', 'Tell me a story');
    const assistant = message('assistant', '', 'streaming');
    await store.appendMessages(chat.id, [user]);
    await store.appendMessages(chat.id, [assistant]);
    await store.appendDelta(chat.id, assistant.id, 'Once upon');
    await store.appendDelta(chat.id, assistant.id, ' a time');
    await store.endMessage(chat.id, assistant.id, {
      status: 'complete',
      finishReason: 'stop',
      usage: { inputTokens: 5, outputTokens: 3 },
      error: null,
    });
    const before = await store.get(chat.id);
    await reopen();
    const after = await store.get(chat.id);
    expect(after).toEqual(before);
    expect(after.messageCount).toBe(2);
    expect(after.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'Tell me a story', 'complete'],
      ['assistant', 'Once upon a time', 'complete'],
    ]);
  });

  test('an answer that is still streaming reads as streaming (another window must not call it interrupted)', async () => {
    const chat = await store.create();
    const assistant = message('assistant', '', 'streaming');
    await store.appendMessages(chat.id, [message('user', 'Hi'), assistant]);
    await store.appendDelta(chat.id, assistant.id, 'Hel');
    expect((await store.get(chat.id)).messages[1]).toMatchObject({ status: 'streaming', text: 'Hel' });
    await store.endMessage(chat.id, assistant.id, { status: 'complete', finishReason: 'stop', usage: null, error: null });
    expect((await store.get(chat.id)).messages[1]).toMatchObject({ status: 'complete', text: 'Hel' });
  });

  test('an answer that was streaming when the app died comes back as interrupted', async () => {
    const chat = await store.create();
    const assistant = message('assistant', '', 'streaming');
    await store.appendMessages(chat.id, [message('user', 'Hi')]);
    await store.appendMessages(chat.id, [assistant]);
    await store.appendDelta(chat.id, assistant.id, 'Hello the');
    // no endMessage: the process was killed
    await reopen();
    const messages = (await store.get(chat.id)).messages;
    expect(messages[1]).toMatchObject({ status: 'interrupted', text: 'Hello the' });
  });

  test('a damaged meta.json is rebuilt from the log, so the chat does not disappear', async () => {
    const chat = await store.create();
    await store.appendMessages(chat.id, [message('user', 'Plan a trip to Lisbon')]);
    await store.appendMessages(chat.id, [message('assistant', 'Sure!')]);
    await store.dispose();
    await writeFile(join(dir, chat.id, 'meta.json'), '{"id": "' + chat.id + '", "title": ');
    store = new ChatStore(dir);
    await store.init();
    const rebuilt = store.summary(chat.id);
    expect(rebuilt).toMatchObject({ id: chat.id, title: 'Plan a trip to Lisbon', messageCount: 2, modelId: 'stories' });
    // and it was written back, valid
    expect(JSON.parse(await readFile(join(dir, chat.id, 'meta.json'), 'utf8'))).toMatchObject({ title: 'Plan a trip to Lisbon' });
    expect((await store.get(chat.id)).messages.map((m) => m.text)).toEqual(['Plan a trip to Lisbon', 'Sure!']);
  });

  test('a meta.json that belongs to another id is not trusted', async () => {
    const chat = await store.create({ title: 'Mine' });
    await store.appendMessages(chat.id, [message('user', 'first words')]);
    await store.dispose();
    await writeFile(join(dir, chat.id, 'meta.json'), JSON.stringify({ ...store.summary(chat.id), id: 'someone-else' }));
    store = new ChatStore(dir);
    await store.init();
    expect(store.summary(chat.id).title).toBe('first words');
  });

  test('leftovers of an interrupted create or delete are cleaned up on start', async () => {
    const chat = await store.create({ title: 'real' });
    await store.dispose();
    await mkdir(join(dir, '.new-half-made'));
    await writeFile(join(dir, '.new-half-made', 'meta.json'), '{}');
    await mkdir(join(dir, `.deleted-${chat.id}x`));
    store = new ChatStore(dir);
    await store.init();
    expect(await readdir(dir)).toEqual([chat.id]);
    expect(store.list().map((c) => c.title)).toEqual(['real']);
  });

  test('concurrent appends to one chat never interleave or get lost', async () => {
    const chat = await store.create();
    const assistant = message('assistant', '', 'streaming');
    await store.appendMessages(chat.id, [assistant]);
    const pieces = Array.from({ length: 50 }, (_, i) => `[${i}]`);
    await Promise.all(pieces.map((piece) => store.appendDelta(chat.id, assistant.id, piece)));
    await reopen();
    expect((await store.get(chat.id)).messages[0]?.text).toBe(pieces.join(''));
  });

  test('unknown chats are NOT_FOUND for every operation', async () => {
    await expect(store.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.rename('nope', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.appendMessages('nope', [message('user', 'x')])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(() => store.summary('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('chat export', () => {
  test('Markdown has the title, who said what, and marks unfinished answers', async () => {
    const chat = await store.create({ title: 'Story time' });
    const answer = message('assistant', '', 'streaming');
    await store.appendMessages(chat.id, [message('user', 'Tell me a story')]);
    await store.appendMessages(chat.id, [answer]);
    await store.appendDelta(chat.id, answer.id, 'Once upon a');
    await store.endMessage(chat.id, answer.id, { status: 'cancelled', finishReason: 'cancelled', usage: null, error: null });
    const exported = exportChat(await store.get(chat.id), 'markdown');
    expect(exported.filename).toBe('Story time.md');
    expect(exported.mimeType).toBe('text/markdown');
    expect(exported.content).toContain('# Story time');
    expect(exported.content).toMatch(/## User\n\nTell me a story\n/);
    expect(exported.content).toMatch(/## Assistant \(stories\) — cancelled\n\nOnce upon a\n/);
  });

  test('JSON is lossless: parsing it gives back the chat', async () => {
    const chat = await store.create({ title: 'A/B: "test" <1>?' });
    await store.appendMessages(chat.id, [message('user', 'line one\nline two ✓')]);
    const full = await store.get(chat.id);
    const exported = exportChat(full, 'json');
    expect(exported.mimeType).toBe('application/json');
    expect(ChatSchema.parse(JSON.parse(exported.content))).toEqual(full);
    // characters that are not allowed in file names are replaced
    expect(exported.filename).toBe('A B test 1.json');
  });

  test('an unusable title still gives a file name', () => {
    const exported = exportChat(
      { id: 'x', title: '///', createdAt: '', updatedAt: '', modelId: null, messageCount: 0, messages: [] },
      'markdown',
    );
    expect(exported.filename).toBe('chat.md');
  });
});

describe('titleFromText', () => {
  test('collapses whitespace and shortens long text with an ellipsis', () => {
    expect(titleFromText('  a\n\tb  ')).toBe('a b');
    expect(titleFromText('   ')).toBe(DEFAULT_CHAT_TITLE);
    const long = titleFromText('word '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('…')).toBe(true);
  });
});
