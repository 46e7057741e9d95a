import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutcomeLine } from '../../../shared/ipc/routes/routing';
import { parseOutcomeLines } from '../../../electron/core/routing/outcome-file';
import { evaluateRouter } from '../../../electron/core/routing/route-eval';
import { pairMetrics } from '../../../electron/core/routing/routing-metrics';
import { sharedModelsDir } from '../../support/paths';

const routingDir = join(sharedModelsDir, '..', 'routing');
const load = (name: string): OutcomeLine[] => parseOutcomeLines(readFileSync(join(routingDir, `${name}.jsonl`), 'utf8')).lines.map((l) => l.outcome);

/**
 * Floors set from measurements on these splits (balanced priority; see
 * bench/RESULTS-router.md): ARC 0.579, MBPP 0.648, Winogrande 0.580. A drop
 * below a floor means the quality model lost signal it used to find.
 */
const FLOORS: Record<string, number> = { arc_challenge: 0.55, mbpp: 0.6, winograde: 0.54 };

describe('route eval on the shared RouterBench splits', () => {
  for (const [task, floor] of Object.entries(FLOORS)) {
    it(`${task}: APGR above ${floor} and better than random`, () => {
      const result = evaluateRouter(load(`${task}_train`), load(`${task}_test`));
      const { pair, choices } = result.summary;
      console.log(
        `${task}: APGR ${pair.apgr.toFixed(3)}, strong calls for 50% ${(pair.strongShareFor50 * 100).toFixed(1)}%, for 80% ${(pair.strongShareFor80 * 100).toFixed(1)}%; balanced ${choices.balanced.quality.toFixed(3)} @ $${choices.balanced.costUsd.toFixed(6)}`,
      );
      expect(pair.weak).toBe('mistralai/mistral-7b-chat');
      expect(pair.strong).toBe('gpt-4-1106-preview');
      expect(pair.apgr).toBeGreaterThan(floor);
      expect(pair.strongShareFor50).toBeLessThan(0.5);
      // One prediction per test line, in file order, for every model in the files.
      expect(result.predictions).toHaveLength(result.summary.testPrompts);
      expect(result.predictions.map((p) => p.index)).toEqual([...Array(result.summary.testPrompts).keys()]);
      expect(Object.keys(result.predictions[0]!.predicted).sort()).toEqual(result.models);
      // Auto's choices beat always-cheapest on quality and always-best on cost.
      expect(choices.balanced.quality).toBeGreaterThan(choices['always-cheapest'].quality);
      expect(choices.balanced.costUsd).toBeLessThan(choices['always-best'].costUsd);
      expect(choices.cost.costUsd).toBeLessThanOrEqual(choices.quality.costUsd);
      expect(choices.oracle.quality).toBeGreaterThanOrEqual(choices.quality.quality);
    });
  }

  it('a router that learns nothing scores exactly like a random one (0.5)', () => {
    const train = load('mbpp_train').map((line) => ({ ...line, prompt: 'same prompt' }));
    const test = load('mbpp_test');
    const { pair } = evaluateRouter(train, test).summary;
    expect(pair.apgr).toBeCloseTo(0.5, 6);
    expect(pair.strongShareFor50).toBeCloseTo(0.5, 1);
  });

  it('learns from TRAIN only: the same TEST gives the same predictions whatever ran before', () => {
    const a = evaluateRouter(load('mbpp_train'), load('mbpp_test'));
    evaluateRouter(load('winograde_train'), load('winograde_test'));
    const b = evaluateRouter(load('mbpp_train'), load('mbpp_test'));
    expect(b.predictions).toEqual(a.predictions);
  });
});

describe('RouteLLM pair metrics', () => {
  it('a perfect router recovers the gap with the fewest strong calls', () => {
    const outcomes = [
      { gain: 1, weakScore: 0, strongScore: 1 },
      { gain: 0, weakScore: 1, strongScore: 1 },
      { gain: 0, weakScore: 0, strongScore: 0 },
      { gain: 0, weakScore: 1, strongScore: 1 },
    ];
    const metrics = pairMetrics(outcomes);
    expect(metrics.strongShareFor50).toBeCloseTo(0.125, 6);
    expect(metrics.apgr).toBeGreaterThan(0.8);
  });

  it('a backwards router scores below random, a constant one exactly 0.5', () => {
    const outcomes = Array.from({ length: 40 }, (_, i) => ({ gain: i % 2 ? 1 : -1, weakScore: i % 2, strongScore: 1 }));
    expect(pairMetrics(outcomes).apgr).toBeLessThan(0.5);
    expect(pairMetrics(outcomes.map((o) => ({ ...o, gain: 0 }))).apgr).toBeCloseTo(0.5, 9);
  });
});

describe('outcome files', () => {
  it('reports a malformed line with its number and learns the rest', () => {
    const text = [
      '{"prompt": "a", "outcomes": {"m1": {"score": 1, "costUsd": 0.001}}}',
      '{"prompt": "b", "outcomes": {"m1": {"score": 2}}}',
      'not json',
      '',
      '{"prompt": "c", "task": "t", "outcomes": {"m1": {"score": 0}, "m2": {"score": 0.5}}}',
    ].join('\n');
    const parsed = parseOutcomeLines(text);
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 5]);
    expect(parsed.skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(parsed.skipped[0]!.message).toMatch(/outcomes\.m1\.score/);
  });
});
