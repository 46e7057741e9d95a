import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutcomeLog } from '../../../electron/core/routing/outcome-log';
import { parseOutcomeLines } from '../../../electron/core/routing/outcome-file';
import { TempDirs } from '../../support/temp-dir';
import { sharedModelsDir } from '../../support/paths';

const temps = new TempDirs();
afterAll(() => temps.removeAll());
const mbpp = parseOutcomeLines(readFileSync(join(sharedModelsDir, '..', 'routing', 'mbpp_train.jsonl'), 'utf8')).lines.map((l) => l.outcome);

describe('the outcome log', () => {
  it('a changed or withdrawn vote keeps the fitted weights: the next decision does not refit', async () => {
    const log = new OutcomeLog(await temps.make(), {});
    await log.load();
    log.learn(mbpp);
    const prompt = 'Write a function to find the longest common prefix of strings.';
    const before = log.quality.predict(prompt).get('gpt-4-1106-preview')!;
    expect(log.quality.fits).toBe(1);

    log.setKeyed('vote:chat:1', { prompt, modelId: 'gpt-4-1106-preview', score: 1 });
    const voted = log.quality.predict(prompt).get('gpt-4-1106-preview')!;
    expect(voted.samples).toBeGreaterThan(before.samples);
    expect(voted.quality).toBeGreaterThan(before.quality);

    log.setKeyed('vote:chat:1', { prompt, modelId: 'gpt-4-1106-preview', score: 0 }); // changed: the model is rebuilt
    const changed = log.quality.predict(prompt).get('gpt-4-1106-preview')!;
    expect(log.quality.fits).toBe(0); // the weights came from the previous model
    expect(changed.quality).toBeLessThan(voted.quality);

    log.setKeyed('vote:chat:1', null); // taken back
    const withdrawn = log.quality.predict(prompt).get('gpt-4-1106-preview')!;
    expect(log.quality.fits).toBe(0);
    expect(withdrawn.quality).toBeCloseTo(before.quality, 6);
    expect(log.size).toBe(mbpp.length);
    await log.flush(); // the appends finish before the folder is removed
  });

  it('replays votes by key at start: the last one wins, a withdrawn one is gone', async () => {
    const dir = await temps.make();
    const log = new OutcomeLog(dir, {});
    await log.load();
    log.setKeyed('vote:a', { prompt: 'p1', modelId: 'm', score: 1 });
    log.setKeyed('vote:a', { prompt: 'p1', modelId: 'm', score: 0 });
    log.setKeyed('vote:b', { prompt: 'p2', modelId: 'm', score: 1 });
    log.setKeyed('vote:b', null);
    await log.flush();
    const again = new OutcomeLog(dir, {});
    expect(await again.load()).toEqual([]);
    expect(again.size).toBe(1);
    expect(again.quality.record('m')).toMatchObject({ count: 1, meanScore: 0 });
  });
});
