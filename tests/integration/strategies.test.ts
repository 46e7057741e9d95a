import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { Strategy } from '../../shared/ipc/chat-settings';
import type { ChatMessage } from '../../shared/ipc/domain';
import type { StepRecord, StreamPart } from '../../shared/ipc/stream-parts';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/**
 * Strategies against a real core: stories260K as the local model (drafter,
 * condenser, candidate, judge) and the recording fake OpenAI server as the
 * cloud. What the cloud was sent is read from the server's request bodies.
 */

const KEY = 'sk-strategies-test-0123456789abcdef';
const CLOUD = 'cloud/gpt-test';
const SLOW_CLOUD = 'cloud/slow-test';
const temp = new TempDirs();
let server: FakeOpenAIServer;
let core: Core;
let client: CollectingClient;
let publicDocs: string;
let secretDocs: string;

/** Sentences of the public documents that a condensed context should not carry word for word. */
const LIGHTHOUSE = 'The old lighthouse keeper Marta climbed the spiral stairs every evening to light the great lamp for the fishing boats.';
const HARBOUR = 'The harbour of Saltmere was built of grey stone, and its long pier reached far into the cold northern sea where seals rested.';
const SECRET = `vault-code-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({ apiKey: KEY });
  const root = await temp.make('tandem-strategies-');
  const bertDir = join(root, 'embedders');
  publicDocs = join(root, 'public');
  secretDocs = join(root, 'secret');
  await Promise.all([mkdir(bertDir), mkdir(publicDocs), mkdir(secretDocs)]);
  await writeTinyBertGguf(join(bertDir, 'tiny-bert.gguf'));
  await writeFile(
    join(publicDocs, 'lighthouse.md'),
    `# The lighthouse\n\n${LIGHTHOUSE} She trimmed the wick, polished the brass and wrote the weather in a thick blue book. On stormy nights she stayed awake until dawn, watching for boats that needed help.\n`,
  );
  await writeFile(
    join(publicDocs, 'harbour.md'),
    `# The harbour\n\n${HARBOUR} Every morning the fishermen sold herring and crab at the market by the pier, and children watched the boats come in.\n`,
  );
  await writeFile(join(secretDocs, 'vault.md'), `# The lighthouse vault\n\nThe lighthouse keeper Marta hid the vault key; the code is ${SECRET}.\n`);
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { [CLOUD]: { input: 5, output: 15 } } }));
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir, bertDir], mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  client = new CollectingClient(core.rpc);
  await client.call('providers.add', { name: 'cloud', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
  await client.call('settings.update', { maxTokens: 24, documents: { ...core.settings.get().documents, retrievalTopK: 4 } });
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

async function chatWith(strategy: Strategy, extra: { collectionIds?: string[]; private?: boolean } = {}): Promise<string> {
  const chat = await client.call('chats.create', {});
  await client.call('chats.updateSettings', { chatId: chat.id, settings: { strategy, ...extra } });
  return chat.id;
}

async function savedAnswer(chatId: string, messageId: string): Promise<ChatMessage> {
  const saved = await client.call('chats.get', { chatId });
  return saved.messages.find((m) => m.id === messageId)!;
}

const stepEnds = (parts: StreamPart[]): StepRecord[] => parts.flatMap((p) => (p.type === 'step-end' ? [p.record] : []));
const bodiesFor = (model: string, since: number) => server.bodies.slice(since).filter((b) => b.model === model.slice(model.indexOf('/') + 1));
/** A text as it appears inside a JSON string (the request body is JSON). */
const inJson = (text: string) => JSON.stringify(text).slice(1, -1);

describe('draft and refine', () => {
  test('the local draft streams as a step, the cloud refiner receives it, and its answer is the reply', async () => {
    const chatId = await chatWith({ kind: 'draft-refine', draftModelId: storiesModelId, refineModelId: CLOUD });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'Tell me a short story about a brave little fox.', modelId: storiesModelId });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.filter((p) => p.type === 'error')).toEqual([]);

    // The draft streamed live as step-delta, then the refiner's text as the answer.
    const starts = view.parts.filter((p) => p.type === 'step-start');
    expect(starts.map((p) => p.type === 'step-start' && [p.step, p.role, p.modelId])).toEqual([
      [0, 'draft', storiesModelId],
      [1, 'refine', CLOUD],
    ]);
    const draftText = view.parts.map((p) => (p.type === 'step-delta' && p.step === 0 ? p.text : '')).join('');
    expect(draftText.trim().length).toBeGreaterThan(0);
    expect(view.text).toBe(FAKE_REPLY.join(''));

    // The cloud got the conversation with the draft in it, and was told not to mention it.
    const sent = bodiesFor(CLOUD, before);
    expect(sent).toHaveLength(1);
    const body = JSON.stringify(sent[0]);
    expect(body).toContain(inJson(draftText.trim()));
    expect(body).toContain('brave little fox');
    expect(body).toContain('do not mention the draft');

    const answer = await savedAnswer(chatId, started.info.assistantMessageId);
    expect(answer).toMatchObject({ status: 'complete', modelId: CLOUD, text: FAKE_REPLY.join('') });
    expect(answer.steps?.map((s) => [s.role, s.modelId, s.label])).toEqual([
      ['draft', storiesModelId, 'Draft'],
      ['refine', CLOUD, 'Refine'],
    ]);
    const [draft, refine] = answer.steps!;
    expect(draft!.text).toBe(draftText);
    expect(draft!.stats).toMatchObject({ costUsd: 0, finishReason: expect.stringMatching(/stop|length/) });
    expect(draft!.stats.outputTokens).toBeGreaterThan(0);
    expect(draft!.stats.ttftMs).not.toBeNull();
    expect(refine!.text).toBe(FAKE_REPLY.join(''));
    expect(refine!.stats.finishReason).toBe('stop');
    expect(refine!.stats.costUsd).toBeGreaterThan(0); // priced cloud model
    expect(refine!.stats.inputTokens).toBeGreaterThan(draft!.stats.outputTokens);
  });

  test('a failing draft leaves the refiner to answer alone, and says so', async () => {
    const chatId = await chatWith({ kind: 'draft-refine', draftModelId: 'cloud/fault-401', refineModelId: CLOUD });
    const started = await client.call('chat.send', { chatId, text: 'Hello there', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    expect(view.text).toBe(FAKE_REPLY.join(''));
    const [draft, refine] = stepEnds(view.parts);
    expect(draft!.error?.code).toBe('AUTH');
    expect(refine!.label).toMatch(/draft failed/);
  });

  test('Stop during the draft stops everything: the refiner is never asked', async () => {
    const chatId = await chatWith({ kind: 'draft-refine', draftModelId: SLOW_CLOUD, refineModelId: CLOUD });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'Write slowly', modelId: CLOUD });
    await waitUntil(() => client.stream(started.streamId).parts.some((p) => p.type === 'step-delta'), 'the first draft text', 10_000);
    expect(await client.call('stream.cancel', { streamId: started.streamId })).toEqual({ cancelled: true });
    const view = await client.waitForEnd(started.streamId, 10_000);
    expect(view.parts.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
    expect(view.parts.some((p) => p.type === 'step-start' && p.role === 'refine')).toBe(false);
    // Give a wrongly started refiner a moment to show up at the server.
    await new Promise((r) => setTimeout(r, 200));
    expect(bodiesFor(CLOUD, before)).toHaveLength(0);
    const answer = await savedAnswer(chatId, started.info.assistantMessageId);
    expect(answer.status).toBe('cancelled');
    expect(answer.steps).toHaveLength(1);
    expect(answer.steps![0]).toMatchObject({ role: 'draft', stats: { finishReason: 'cancelled' } });
  });

  test('a private chat refuses a cloud refiner with LOCAL_ONLY before anything is sent or saved', async () => {
    const chatId = await chatWith({ kind: 'draft-refine', draftModelId: storiesModelId, refineModelId: CLOUD }, { private: true });
    const before = server.bodies.length;
    const result = await client.request('chat.send', { chatId, text: 'A private thought', modelId: storiesModelId });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('LOCAL_ONLY');
    expect(server.bodies.length).toBe(before);
    expect((await client.call('chats.get', { chatId })).messages).toEqual([]);
  });
});

describe('condense', () => {
  let publicId: string;
  let secretId: string;

  beforeAll(async () => {
    const pub = await client.call('collections.add', { name: 'town', paths: [publicDocs] });
    const secret = await client.call('collections.add', { name: 'vault', paths: [secretDocs], localOnly: true });
    publicId = pub.id;
    secretId = secret.id;
    await core.documents.waitForIdle(publicId);
    await core.documents.waitForIdle(secretId);
  });

  test('a condensation copied from the sources goes to the cloud answer model with correct citations, and nothing of the local-only collection', async () => {
    // A condenser that copies facts, as a capable model does: from the lighthouse source only, under its own marker.
    server.script('condenser', (body) => {
      const prompt = JSON.stringify(body.messages);
      const n = /\[(\d+)\] lighthouse\.md/.exec(prompt)?.[1] ?? '1';
      return { text: `[${n}] Marta climbed the spiral stairs every evening to light the lamp.` };
    });
    const chatId = await chatWith({ kind: 'condense', condenseModelId: 'cloud/condenser', answerModelId: CLOUD }, { collectionIds: [publicId, secretId] });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'What did the lighthouse keeper Marta do, and where is the vault key?', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.filter((p) => p.type === 'error')).toEqual([]);

    // Citations first, numbered 1..n, none from the local-only collection.
    const first = view.parts[0];
    expect(first?.type).toBe('citations');
    const citations = first?.type === 'citations' ? first.citations : [];
    expect(citations.length).toBeGreaterThan(0);
    expect(citations.map((c) => c.n)).toEqual(citations.map((_, i) => i + 1));
    expect(citations.every((c) => c.collectionId === publicId && !c.localOnly)).toBe(true);
    const lighthouse = citations.find((c) => c.path.endsWith('lighthouse.md'))!;

    const [condense, answerStep] = stepEnds(view.parts);
    expect(condense).toMatchObject({ role: 'condense', modelId: 'cloud/condenser', label: 'Condense', error: null });
    expect(answerStep).toMatchObject({ role: 'answer', modelId: CLOUD });
    expect(condense!.text).toBe(`[${lighthouse.n}] Marta climbed the spiral stairs every evening to light the lamp.`);

    const condensed = view.parts.find((p) => p.type === 'condensed');
    if (condensed?.type !== 'condensed') throw new Error('no condensed part');
    expect(condensed.sentTokens).toBeLessThan(condensed.retrievedTokens);
    expect(condensed.localOnlyWithheld).toBeGreaterThan(0);

    // The answer model saw the condensed text, not the sources themselves; no model saw a byte of the vault.
    const sent = bodiesFor(CLOUD, before);
    expect(sent).toHaveLength(1);
    const body = JSON.stringify(sent[0]);
    expect(body).toContain(inJson(condense!.text));
    expect(body).toContain('[n]'); // told how to cite
    expect(body).not.toContain(LIGHTHOUSE);
    expect(body).not.toContain(HARBOUR);
    expect(JSON.stringify(server.bodies)).not.toContain(SECRET);
    expect(JSON.stringify(server.bodies)).not.toContain('vault.md');

    const answer = await savedAnswer(chatId, started.info.assistantMessageId);
    expect(answer).toMatchObject({ status: 'complete', modelId: CLOUD, text: FAKE_REPLY.join('') });
    expect(answer.citations).toEqual(citations);
    expect(answer.condensed).toEqual({ retrievedTokens: condensed.retrievedTokens, sentTokens: condensed.sentTokens, localOnlyWithheld: condensed.localOnlyWithheld });
    expect(answer.steps?.map((s) => s.role)).toEqual(['condense', 'answer']);
  });

  test("a local condenser's own words are not sent: the sentences that answer are, under their markers, and nothing local-only", async () => {
    const chatId = await chatWith({ kind: 'condense', condenseModelId: storiesModelId, answerModelId: CLOUD }, { collectionIds: [publicId, secretId] });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'What did the lighthouse keeper Marta do, and where is the vault key?', modelId: storiesModelId });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    const citations = view.parts[0]?.type === 'citations' ? view.parts[0].citations : [];
    const lighthouse = citations.find((c) => c.path.endsWith('lighthouse.md'))!;
    const [condense] = stepEnds(view.parts);
    // stories260K tells a story instead of copying facts: its text is replaced by the sentences that share the question's words.
    expect(condense).toMatchObject({ role: 'condense', modelId: storiesModelId, error: null });
    expect(condense!.label).toMatch(/most relevant sentences were kept/);
    expect(condense!.text).toContain(`[${lighthouse.n}] lighthouse.md`);
    expect(condense!.text).toContain(LIGHTHOUSE);
    expect(condense!.text).not.toContain(HARBOUR);
    for (const marker of condense!.text.matchAll(/\[(\d+)\]/g)) expect(citations.map((c) => c.n)).toContain(Number(marker[1]));
    const condensed = view.parts.find((p) => p.type === 'condensed');
    if (condensed?.type !== 'condensed') throw new Error('no condensed part');
    expect(condensed.sentTokens).toBeLessThan(condensed.retrievedTokens);
    const body = JSON.stringify(bodiesFor(CLOUD, before));
    expect(body).toContain(inJson(LIGHTHOUSE));
    expect(body).not.toContain(HARBOUR);
    expect(JSON.stringify(server.bodies)).not.toContain(SECRET);
  });

  test('a failing condense model falls back to the sentences that answer, which still hold nothing local-only', async () => {
    const chatId = await chatWith({ kind: 'condense', condenseModelId: 'cloud/fault-401', answerModelId: CLOUD }, { collectionIds: [publicId, secretId] });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'What did the lighthouse keeper Marta do?', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    const [condense] = stepEnds(view.parts);
    expect(condense).toMatchObject({ role: 'condense', error: { code: 'AUTH' } });
    expect(condense!.label).toMatch(/failed.*most relevant sentences/);
    const condensed = view.parts.find((p) => p.type === 'condensed');
    expect(condensed).toMatchObject({ localOnlyWithheld: expect.any(Number) });
    if (condensed?.type === 'condensed') expect(condensed.sentTokens).toBeLessThan(condensed.retrievedTokens);
    const body = JSON.stringify(bodiesFor(CLOUD, before));
    expect(body).toContain(inJson(LIGHTHOUSE));
    expect(JSON.stringify(server.bodies)).not.toContain(SECRET);
  });

  test('when only local-only chunks match, the cloud answers without sources and the withheld chunks are counted', async () => {
    const chatId = await chatWith({ kind: 'condense', condenseModelId: storiesModelId, answerModelId: CLOUD }, { collectionIds: [secretId] });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'Where is the vault key?', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.some((p) => p.type === 'citations')).toBe(false);
    expect(view.parts.find((p) => p.type === 'condensed')).toEqual({ type: 'condensed', retrievedTokens: 0, sentTokens: 0, localOnlyWithheld: 1 });
    expect(bodiesFor(CLOUD, before)).toHaveLength(1);
    expect(JSON.stringify(server.bodies)).not.toContain(SECRET);
    expect(JSON.stringify(server.bodies)).not.toContain('vault.md');
  });

  test('draft and refine with a local-only collection refuses the cloud refiner (the draft would carry the content)', async () => {
    const chatId = await chatWith({ kind: 'draft-refine', draftModelId: storiesModelId, refineModelId: CLOUD }, { collectionIds: [secretId] });
    const before = server.bodies.length;
    const result = await client.request('chat.send', { chatId, text: 'Where is the vault key?', modelId: storiesModelId });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('LOCAL_ONLY');
    expect(server.bodies.length).toBe(before);
  });

  test('with a local answer model the local-only collection is used, and nothing reaches the cloud', async () => {
    const chatId = await chatWith({ kind: 'condense', condenseModelId: storiesModelId, answerModelId: storiesModelId }, { collectionIds: [secretId] });
    const before = server.bodies.length;
    const started = await client.call('chat.send', { chatId, text: 'Where is the vault key?', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    const first = view.parts[0];
    expect(first?.type === 'citations' && first.citations.some((c) => c.localOnly)).toBe(true);
    expect(view.parts.find((p) => p.type === 'condensed')).toMatchObject({ localOnlyWithheld: 0 });
    expect(server.bodies.length).toBe(before);
  });
});

describe('best of N with a judge', () => {
  test('a local and a cloud candidate answer, the local judge scores both, the best is the reply and the scores are outcomes', async () => {
    const chatId = await chatWith({ kind: 'best-of-n', modelIds: [storiesModelId, CLOUD], judgeModelId: storiesModelId });
    const outcomesBefore = core.routing.outcomes.all().length;
    const prompt = 'Once upon a time there was a little girl who';
    const started = await client.call('chat.send', { chatId, text: prompt, modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.filter((p) => p.type === 'error')).toEqual([]);

    // Both candidates (the cloud one alongside the local one), then the judge.
    const starts = view.parts.flatMap((p) => (p.type === 'step-start' ? [[p.step, p.role, p.modelId]] : []));
    expect(starts.slice(0, 2)).toEqual(expect.arrayContaining([[0, 'candidate', storiesModelId], [1, 'candidate', CLOUD]]));
    expect(starts[2]).toEqual([2, 'judge', storiesModelId]);
    expect(starts).toHaveLength(3);

    const answer = await savedAnswer(chatId, started.info.assistantMessageId);
    const steps = answer.steps!;
    expect(steps.map((s) => s.role)).toEqual(['candidate', 'candidate', 'judge']);
    const candidates = steps.filter((s) => s.role === 'candidate');
    for (const candidate of candidates) {
      expect(candidate.score).toBeGreaterThanOrEqual(0);
      expect(candidate.score).toBeLessThanOrEqual(1);
      expect(typeof candidate.reason).toBe('string');
    }
    const chosen = candidates.filter((c) => c.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.score).toBe(Math.max(...candidates.map((c) => c.score!)));
    expect(answer.text).toBe(chosen[0]!.text);
    expect(view.text).toBe(chosen[0]!.text);
    expect(steps[2]!.text).toMatch(/Candidate 1 .*\/10/);

    // The judge's scores taught the router: one outcome over both models.
    await waitUntil(() => core.routing.outcomes.all().length > outcomesBefore, 'the judge outcome', 5000);
    const outcome = core.routing.outcomes.all().at(-1)!;
    expect(outcome).toMatchObject({ source: 'judge', prompt });
    expect(Object.keys(outcome.outcomes).sort()).toEqual([storiesModelId, CLOUD].sort());
    expect(outcome.outcomes[storiesModelId]!.score).toBe(candidates[0]!.score);
    expect(outcome.outcomes[CLOUD]!.score).toBe(candidates[1]!.score);
  });

  test('samples of one model use other seeds, so they differ', async () => {
    const chatId = await chatWith({ kind: 'best-of-n', modelIds: [storiesModelId], samples: 3, judgeModelId: storiesModelId });
    const started = await client.call('chat.send', { chatId, text: 'Once upon a time', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    const answer = await savedAnswer(chatId, started.info.assistantMessageId);
    const candidates = answer.steps!.filter((s) => s.role === 'candidate');
    expect(candidates.map((c) => c.label)).toEqual([1, 2, 3].map((n) => `Candidate ${n} (${storiesModelId}, sample ${n})`));
    expect(new Set(candidates.map((c) => c.text)).size).toBeGreaterThan(1);
    expect(candidates.filter((c) => c.chosen)).toHaveLength(1);
  });

  test('a failing candidate is skipped; when all fail the turn ends with the error', async () => {
    const oneFails = await chatWith({ kind: 'best-of-n', modelIds: ['cloud/fault-401', storiesModelId], judgeModelId: storiesModelId });
    const started = await client.call('chat.send', { chatId: oneFails, text: 'Hello', modelId: CLOUD });
    const view = await client.waitForEnd(started.streamId, 30_000);
    expect(view.end?.status).toBe('completed');
    const answer = await savedAnswer(oneFails, started.info.assistantMessageId);
    expect(answer.steps?.find((s) => s.modelId === 'cloud/fault-401')).toMatchObject({ error: { code: 'AUTH' } });
    expect(answer.steps?.find((s) => s.chosen)?.modelId).toBe(storiesModelId);

    const allFail = await chatWith({ kind: 'best-of-n', modelIds: ['cloud/fault-401'], samples: 2, judgeModelId: storiesModelId });
    const failing = await client.call('chat.send', { chatId: allFail, text: 'Hello', modelId: CLOUD });
    const failed = await client.waitForEnd(failing.streamId, 30_000);
    expect(failed.parts.at(-1)).toMatchObject({ type: 'error', code: 'AUTH' });
    expect((await savedAnswer(allFail, failing.info.assistantMessageId)).status).toBe('error');
  });
});
