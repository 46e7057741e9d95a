import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { createApiHandler, type ApiHandler } from '../../electron/core/server/api/api-handler';
import type { ApiGate } from '../../electron/core/server/api/api-gate';
import { startApiServer, type ApiServer } from '../../electron/core/server/api/api-server';
import { StaticKeyGate } from '../../electron/core/server/api/static-key-gate';
import { allowedHosts } from '../../electron/core/server/security';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { requireStoriesModel, sharedModelsDir } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

export const API_KEY = 'sk-tandem-api-test-0123456789';
export const FAKE_KEY = 'sk-fake-provider-key';
/** The tiny BERT encoder the harness writes (GET /v1/models lists it under this id). */
export const BERT_ID = 'tiny-bert';

export interface ApiHarness {
  core: Core;
  fake: FakeOpenAIServer;
  gate: StaticKeyGate;
  handler: ApiHandler;
  server: ApiServer;
  /** `http://127.0.0.1:PORT/v1` */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Another server on the same core with another gate (quota tests). */
  serve(gate: ApiGate, corsOrigins?: string[]): Promise<{ url: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A real core (stories260K, a tiny BERT encoder, the fake OpenAI-compatible
 * cloud as provider `fake`) behind Tandem's API server on a free port.
 */
export async function startApiHarness(
  options: { maxTokens?: number; corsOrigins?: string[]; /** Dollars per million tokens by model id (the data dir's pricing.json). */ pricing?: Record<string, { input: number; output: number }> } = {},
): Promise<ApiHarness> {
  requireStoriesModel();
  const temp = new TempDirs();
  const dataDir = await temp.make('tandem-api-');
  const modelsDir = join(dataDir, 'extra-models');
  await mkdir(modelsDir, { recursive: true });
  await writeTinyBertGguf(join(modelsDir, `${BERT_ID}.gguf`));
  if (options.pricing) await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: options.pricing }));
  const fake = await startFakeOpenAI({ apiKey: FAKE_KEY });
  const core = await createCore({
    dataDir,
    modelsDirs: [sharedModelsDir, modelsDir],
    mode: 'serve',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
    providerRetry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 20 },
  });
  await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: fake.baseUrl, apiKey: FAKE_KEY });
  await core.settings.update({ maxTokens: options.maxTokens ?? 24 });
  const closers: (() => Promise<void>)[] = [];
  const serve = async (gate: ApiGate, corsOrigins = options.corsOrigins ?? []) => {
    let hosts = new Set<string>();
    const handler = createApiHandler({ core, gate, corsOrigins: () => corsOrigins, allowedHosts: () => hosts });
    const server = await startApiServer({ handler, host: '127.0.0.1', port: 0 });
    hosts = allowedHosts('127.0.0.1', server.port);
    closers.push(() => server.close());
    return { url: server.url, close: () => server.close(), handler, server };
  };
  const gate = new StaticKeyGate(API_KEY, 'test');
  const main = await serve(gate);
  return {
    core,
    fake,
    gate,
    handler: main.handler,
    server: main.server,
    url: main.url,
    origin: main.url.replace(/\/v1$/, ''),
    serve: async (otherGate, cors) => {
      const other = await serve(otherGate, cors);
      return { url: other.url, close: other.close };
    },
    close: async () => {
      for (const close of closers.reverse()) await close();
      await core.dispose();
      await fake.close();
      await temp.removeAll();
    },
  };
}
