import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { SamplingRequest } from '../../shared/ipc/routes/mcp';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { CollectingClient } from '../support/collecting-client';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { everythingServer } from '../support/tool-loop-harness';
import { waitUntil } from '../support/wait';

/**
 * The tool loop as the app wires it (createCore), over the router as a window
 * uses it: chat.send streams an approval card, chat.approveTool answers it —
 * from the window that owns the stream only — and sampling requests arrive as
 * `mcp.samplingRequested` events answered with `mcp.answerSampling`.
 */

const temp = new TempDirs();
let server: FakeOpenAIServer;
let core: Core;
let owner: CollectingClient;
let other: CollectingClient;

beforeAll(async () => {
  server = await startFakeOpenAI();
  core = await createCore({ dataDir: await temp.make('tandem-tool-router-'), mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: 'sk-test' });
  owner = new CollectingClient(core.rpc, 'window-owner');
  other = new CollectingClient(core.rpc, 'window-other');
  await owner.call('mcp.add', everythingServer);
  await core.mcp.ensureReady('everything');
});

afterAll(async () => {
  owner?.close();
  other?.close();
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

describe('tool approvals over the router', () => {
  test('only the window that owns the stream can approve; the answer lands in the saved chat', async () => {
    server.script('router-echo', (body) =>
      (body.messages as { role: string }[]).at(-1)?.role === 'tool'
        ? { text: 'Done.' }
        : { toolCalls: [{ id: 'call_r1', name: 'everything__echo', arguments: { message: 'over the router' } }] },
    );
    const chat = await owner.call('chats.create', {});
    await owner.call('chats.updateSettings', { chatId: chat.id, settings: { tools: { servers: ['everything'] } } });
    const { streamId } = await owner.call('chat.send', { chatId: chat.id, text: 'Echo please', modelId: 'fake/router-echo' });
    await waitUntil(() => owner.stream(streamId).parts.some((p) => p.type === 'tool-approval'), 'the approval card');
    const card = owner.stream(streamId).parts.find((p) => p.type === 'tool-approval');
    if (card?.type !== 'tool-approval') throw new Error('no card');
    expect(card).toMatchObject({ server: 'everything', toolName: 'echo', args: { message: 'over the router' } });

    expect(await other.call('chat.approveTool', { approvalId: card.approvalId, decision: 'always-allow' })).toEqual({ resolved: false });
    expect(await owner.call('chat.approveTool', { approvalId: 'x'.repeat(32), decision: 'allow-once' })).toEqual({ resolved: false });
    expect(owner.stream(streamId).parts.some((p) => p.type === 'tool-result')).toBe(false);
    expect(await owner.call('chat.approveTool', { approvalId: card.approvalId, decision: 'allow-once' })).toEqual({ resolved: true });

    const view = await owner.waitForEnd(streamId);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.find((p) => p.type === 'tool-result')).toMatchObject({ status: 'done', result: 'Echo: over the router' });
    expect(view.text).toBe('Done.');
    const saved = (await owner.call('chats.get', { chatId: chat.id })).messages.at(-1)!;
    expect(saved.toolCalls).toEqual([expect.objectContaining({ toolCallId: 'call_r1', status: 'done', args: { message: 'over the router' } })]);
    expect(core.mcp.approvalPolicy('everything', 'echo')).toBe('ask');
  });

  test('a turn sent while the chat\'s server is still starting waits for it and offers its tools', async () => {
    server.script('router-starting', () => ({ text: 'Hi.' }));
    const chat = await owner.call('chats.create', {});
    await owner.call('chats.updateSettings', { chatId: chat.id, settings: { tools: { servers: ['everything'] } } });
    const restarting = core.mcp.restart('everything');
    await waitUntil(() => core.mcp.status('everything')?.state === 'starting', 'the server to be starting', 10_000, 1);
    const { streamId } = await owner.call('chat.send', { chatId: chat.id, text: 'Hello', modelId: 'fake/router-starting' });
    expect((await owner.waitForEnd(streamId)).end?.status).toBe('completed');
    await restarting;
    const body = server.bodies.findLast((b) => b.model === 'router-starting') as { tools?: { function: { name: string } }[] };
    expect(body.tools?.map((t) => t.function.name)).toContain('everything__echo');
  });

  test('sampling: the request is broadcast and listed; approving runs the proposed model, denying refuses', async () => {
    await core.settings.update({ mcp: { ...core.settings.get().mcp, samplingModelId: 'fake/gpt-test' } });
    const events = () =>
      other.messages
        .filter((m) => m.type === 'event' && (m as { event: string }).event === 'mcp.samplingRequested')
        .map((m) => (m as unknown as { payload: SamplingRequest }).payload);
    const call = owner.call('mcp.callTool', { name: 'everything', tool: 'trigger-sampling-request', args: { prompt: 'hello', maxTokens: 16 } });
    await waitUntil(() => events().length === 1, 'a sampling request event');
    const request = events()[0]!;
    expect(request).toMatchObject({ server: 'everything', modelId: 'fake/gpt-test', maxTokens: 16 });
    expect(await other.call('mcp.pendingSampling', {})).toEqual([request]);
    expect(await other.call('mcp.answerSampling', { requestId: request.requestId, decision: 'approve' })).toEqual({ resolved: true });
    const result = await call;
    expect(result.isError).toBe(false);
    expect(result.text).toContain('Hello from the fake server.');
    expect(await other.call('mcp.pendingSampling', {})).toEqual([]);

    const denied = owner.request('mcp.callTool', { name: 'everything', tool: 'trigger-sampling-request', args: { prompt: 'no', maxTokens: 16 } });
    await waitUntil(() => events().length === 2, 'a second sampling request event');
    expect(await owner.call('mcp.answerSampling', { requestId: events()[1]!.requestId, decision: 'deny' })).toEqual({ resolved: true });
    const outcome = await denied;
    const failed = outcome.ok ? outcome.data.isError : true;
    expect(failed).toBe(true);
  });
});
