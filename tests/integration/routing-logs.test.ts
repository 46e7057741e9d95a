import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { NO_ROUTE_CONTEXT } from '../../electron/core/routing/routing-service';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { requireStoriesModel, sharedModelsDir } from '../support/paths';

const temps = new TempDirs();
let core: Core | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});
afterAll(() => temps.removeAll());

async function open(dataDir: string, logger = new RecordingLogger()): Promise<Core> {
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'cli', version: 'test', logger, gpu: false });
  return core;
}

describe("Auto's logs are append-only and replayed at start", () => {
  it('decisions and outcomes come back after a restart; damaged lines are reported, never fatal', async () => {
    requireStoriesModel();
    const dataDir = await temps.make('tandem-routing-logs-');
    const first = await open(dataDir);
    first.routing.learn('{"prompt": "Tell me a story", "outcomes": {"stories260K": {"score": 1}}}\n');
    const auto = await first.resolveModel('auto');
    const parts = [];
    for await (const part of auto.stream({ messages: [{ role: 'user', text: 'Once upon a time' }], maxTokens: 4 }, { signal: new AbortController().signal })) parts.push(part);
    const route = parts.find((p) => p.type === 'route');
    expect(route?.type === 'route' && route.decision.chosenModelId).toBe('stories260K');
    await first.dispose();
    core = null;

    // The decision log holds counts and features, never the prompt text.
    const decisions = await readFile(join(dataDir, 'routing', 'decisions.jsonl'), 'utf8');
    expect(decisions).not.toContain('Once upon a time');
    await appendFile(join(dataDir, 'routing', 'decisions.jsonl'), '{"torn": \n');
    await appendFile(join(dataDir, 'routing', 'outcomes.jsonl'), 'not json\n');

    const logger = new RecordingLogger();
    const second = await open(dataDir, logger);
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings.some((w) => /decisions\.jsonl:\d+: not JSON; line skipped/.test(w))).toBe(true);
    expect(warnings.some((w) => /outcomes\.jsonl:2: not JSON; line skipped/.test(w))).toBe(true);
    expect(second.routing.recentDecisions().map((d) => d.id)).toContain(route?.type === 'route' ? route.decision.id : '');
    const decision = await second.routing.decideText('Tell me a story', NO_ROUTE_CONTEXT);
    expect(decision.candidates.find((c) => c.modelId === 'stories260K')!.qualitySamples).toBe(1);
  });
});
