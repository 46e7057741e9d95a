import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { modelToolName } from '../../electron/core/mcp/tool-names';
import type { LanguageModel } from '../../electron/core/models/language-model';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { ToolLoopHarness } from '../support/tool-loop-harness';

/**
 * The same tool loop with a local model: node-llama-cpp's function calling
 * (a grammar-constrained call when the tool is named) on stories260K, against
 * server-everything. The tiny model cannot choose tools by itself, so the
 * first step names the tool; everything after is the loop as the app runs it.
 */

const temp = new TempDirs();
let runtime: LocalRuntime;
let model: LanguageModel;
let h: ToolLoopHarness;

beforeAll(async () => {
  requireStoriesModel();
  runtime = new LocalRuntime({
    logger: new RecordingLogger(),
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    // node-llama-cpp's function documentation is long in this model's tiny vocabulary
    contextSize: () => 2048,
  });
  model = runtime.languageModel(await new ModelLibrary(() => [sharedModelsDir]).resolve(storiesModelId));
  h = await new ToolLoopHarness(async () => model, storiesModelId).start(temp);
  // The tool documentation node-llama-cpp puts in the prompt must fit this model's context: offer one tool.
  for (const tool of h.host.status('everything')!.tools) {
    if (tool.name !== 'get-annotated-message') await h.host.setToolPolicy('everything', tool.name, { enabled: false });
  }
});

afterAll(async () => {
  await h?.dispose();
  await runtime?.dispose();
  await temp.removeAll();
});

async function run(toolName: string, onPart: (part: StreamPart, parts: StreamPart[]) => void): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const stream = h.loop.stream(
    {
      model,
      request: { messages: [{ role: 'user', text: 'Once upon a time there was a message.' }], maxTokens: 120, temperature: 0 },
      servers: ['everything'],
      maxSteps: 1,
      toolChoice: { name: modelToolName('everything', toolName) },
      clientId: 'window-1',
    },
    { signal: new AbortController().signal },
  );
  for await (const part of stream) {
    parts.push(part);
    onPart(part, parts);
  }
  return parts;
}

describe('local model tool loop', () => {
  test('call → approval → result → final answer, through node-llama-cpp function calling', async () => {
    const parts = await run('get-annotated-message', (part) => {
      if (part.type === 'tool-approval') expect(h.approve(part.approvalId, 'allow-once')).toEqual({ resolved: true });
    });
    const call = parts.find((p) => p.type === 'tool-call');
    if (call?.type !== 'tool-call') throw new Error(`no tool call: ${JSON.stringify(parts)}`);
    expect(call).toMatchObject({ server: 'everything', toolName: 'get-annotated-message' });
    expect(call.toolCallId).toMatch(/^call_/);
    expect(['error', 'success', 'debug']).toContain((call.args as { messageType: string }).messageType);

    const types = parts.map((p) => p.type);
    expect(types.indexOf('tool-approval')).toBeGreaterThan(types.indexOf('tool-call'));
    const result = parts.find((p) => p.type === 'tool-result');
    expect(result).toMatchObject({ status: 'done', server: 'everything', toolName: 'get-annotated-message' });
    expect(types.indexOf('tool-result')).toBeGreaterThan(types.indexOf('tool-approval'));
    // The answer goes on after the result: the last step (no tools) generates text, then the limit note.
    const after = parts.slice(types.indexOf('tool-result') + 1);
    expect(after.filter((p) => p.type === 'text-delta').length).toBeGreaterThan(1);
    expect(parts.filter((p) => p.type === 'error')).toEqual([]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(['stop', 'length']).toContain((parts.at(-1) as { reason: string }).reason);
    const usage = parts.findLast((p) => p.type === 'usage');
    expect(usage?.type === 'usage' && usage.usage.outputTokens).toBeGreaterThan(0);
  });

  test('denied: the local model gets the denial as the tool result and still answers', async () => {
    const parts = await run('get-annotated-message', (part) => {
      if (part.type === 'tool-approval') h.approve(part.approvalId, 'deny');
    });
    expect(parts.find((p) => p.type === 'tool-result')).toMatchObject({ status: 'denied' });
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(parts.filter((p) => p.type === 'error')).toEqual([]);
  });

  test('a local turn through the chat runner saves the call with the message', async () => {
    // The runner offers the tools with toolChoice 'auto': the tiny model may or may not call one; any card is allowed.
    const chatId = await h.chat({ tools: { servers: ['everything'], maxSteps: 2 } });
    const turn = await h.send(chatId, 'Once upon a time', storiesModelId);
    let ended = false;
    void turn.done.finally(() => (ended = true));
    let answered = 0;
    while (!ended) {
      for (const card of turn.parts.filter((p) => p.type === 'tool-approval').slice(answered)) {
        h.approve(card.approvalId, 'allow-once');
        answered += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await turn.done;
    expect(turn.parts.filter((p) => p.type === 'error')).toEqual([]);
    const saved = await h.assistantMessage(chatId);
    expect(saved.status).toBe('complete');
    // Whatever the tiny model chose, what it did is what was saved.
    expect(saved.toolCalls?.length ?? 0).toBe(turn.parts.filter((p) => p.type === 'tool-result').length);
  });
});
