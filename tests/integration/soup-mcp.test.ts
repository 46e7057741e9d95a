import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { createTandemMcpServer } from '../../electron/core/server/mcp/tandem-mcp-server';
import { SOUP_ANSWERS } from '../../shared/ipc/routes/soup';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { FIXTURE_PUZZLES } from '../unit/soup/fixture-puzzles';

/** Another assistant plays Turtle Soup through Tandem's MCP tools. */

const temp = new TempDirs();
let core: Core;
let client: Client;

beforeAll(async () => {
  requireStoriesModel();
  const dataDir = await temp.make('tandem-soup-mcp-');
  await mkdir(join(dataDir, 'soup'), { recursive: true });
  await writeFile(join(dataDir, 'soup', 'puzzles.json'), JSON.stringify(FIXTURE_PUZZLES));
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await createTandemMcpServer(core).connect(serverTransport);
  client = new Client({ name: 'soup-test', version: '1.0.0' });
  await client.connect(clientTransport);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await core?.dispose();
  await temp.removeAll();
});

async function call(name: string, args: Record<string, unknown>): Promise<{ isError?: boolean; data: Record<string, unknown>; text: string }> {
  const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: Record<string, unknown>; content: { text: string }[] };
  return { isError: result.isError, data: result.structuredContent ?? {}, text: result.content[0]?.text ?? '' };
}

describe('Turtle Soup over MCP', () => {
  test('start, ask, hint, guess and reveal a game; the story stays hidden until the reveal', async () => {
    const started = await call('turtle_soup_start', { puzzleId: 'test-lighthouse', modelId: storiesModelId });
    expect(started.isError).toBeFalsy();
    const gameId = started.data.gameId as string;
    expect(started.data.surface).toContain('turns off a light');
    expect(started.data.hidden).toBeNull();
    expect(started.text).not.toContain('lighthouse keeper');

    const asked = await call('turtle_soup_ask', { gameId, question: 'Was a ship involved?' });
    expect(SOUP_ANSWERS).toContain(asked.data.answer);
    const hint = await call('turtle_soup_hint', { gameId });
    expect(hint.data.hint).toBe('It was not an ordinary light.');
    const guess = await call('turtle_soup_guess', { gameId, text: 'She was a lighthouse keeper.' });
    expect(guess.data).toMatchObject({ solved: false, factsFound: 1, keyFactCount: 3 });
    const revealed = await call('turtle_soup_reveal', { gameId });
    expect(revealed.data.status).toBe('gave-up');
    expect(revealed.data.hidden).toContain('lighthouse keeper');

    const after = await call('turtle_soup_ask', { gameId, question: 'Again?' });
    expect(after.isError).toBe(true);
    expect(after.text).toMatch(/^CONFLICT/);
    expect((await core.soup.listGames()).map((g) => g.id)).toContain(gameId); // the same games as the app
  }, 60_000);
});
