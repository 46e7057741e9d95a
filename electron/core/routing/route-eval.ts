import type { OutcomeLine, RoutingPriority } from '../../../shared/ipc/routes/routing';
import { RoutingPrioritySchema } from '../../../shared/ipc/routes/routing';
import { rankCandidates } from './priority-scoring';
import { QualityModel, type QualityModelOptions } from './quality-model';
import { pairMetrics, type PairMetrics } from './routing-metrics';
import { toSample } from './outcome-file';

export interface EvalChoiceSummary {
  /** Mean true score of the chosen models on the test lines. */
  quality: number;
  /** Mean true cost of the chosen models' answers (dollars per prompt). */
  costUsd: number;
}

export interface RouteEvalResult {
  models: string[];
  predictions: { index: number; predicted: Record<string, number>; chosen: string }[];
  summary: {
    priority: RoutingPriority;
    trainPrompts: number;
    testPrompts: number;
    pair: { weak: string; strong: string } & Omit<PairMetrics, 'curve'> & { curve: PairMetrics['curve'] };
    choices: Record<RoutingPriority | 'always-cheapest' | 'always-best' | 'oracle', EvalChoiceSummary>;
    /** Per-model mean score and cost on the test lines. */
    perModel: Record<string, EvalChoiceSummary>;
    seconds: number;
  };
}

/**
 * `tandem route eval`: learns from TRAIN only (in memory), then predicts every
 * model's quality on each TEST line in order and picks a model at each
 * priority, exactly as Auto does for cloud candidates (costs from the
 * models' mean cost in TRAIN).
 */
export function evaluateRouter(
  train: readonly OutcomeLine[],
  test: readonly OutcomeLine[],
  priority: RoutingPriority = 'balanced',
  options: QualityModelOptions = {},
): RouteEvalResult {
  const started = performance.now();
  const quality = new QualityModel(options);
  for (const line of train) quality.add(toSample(line));
  const models = [...new Set([...train, ...test].flatMap((line) => Object.keys(line.outcomes)))].sort();
  const trainRecord = new Map(models.map((m) => [m, quality.record(m)]));
  const meanCost = (m: string) => trainRecord.get(m)?.meanCostUsd ?? testMeanCost(test, m);
  const priorities = RoutingPrioritySchema.options;
  const picks = new Map<RoutingPriority, EvalChoiceSummary & { n: number }>(priorities.map((p) => [p, { quality: 0, costUsd: 0, n: 0 }]));
  const predictions: RouteEvalResult['predictions'] = [];
  const predictedPerLine: Map<string, number>[] = [];
  test.forEach((line, index) => {
    const predicted = quality.predict(line.prompt);
    const perModel = new Map<string, number>();
    for (const m of models) perModel.set(m, predicted.get(m)?.quality ?? 0.5);
    predictedPerLine.push(perModel);
    const available = models.filter((m) => line.outcomes[m] !== undefined);
    const inputs = available.map((m) => ({ modelId: m, quality: perModel.get(m)!, costUsd: meanCost(m), expectedSeconds: null, local: false }));
    let chosen = '';
    for (const p of priorities) {
      const best = rankCandidates(p, inputs)[0]?.candidate.modelId;
      if (!best) continue;
      if (p === priority) chosen = best;
      const tally = picks.get(p)!;
      tally.quality += line.outcomes[best]!.score;
      tally.costUsd += line.outcomes[best]!.costUsd ?? meanCost(best);
      tally.n += 1;
    }
    predictions.push({ index, predicted: Object.fromEntries([...perModel].map(([m, q]) => [m, round(q)])), chosen });
  });

  // The pair: the cheapest and the most accurate model in TRAIN (among models present in both files).
  const known = models.filter((m) => trainRecord.get(m) && test.some((line) => line.outcomes[m] !== undefined));
  const weak = [...known].sort((a, b) => meanCost(a) - meanCost(b))[0] ?? models[0] ?? '';
  const strong = [...known].sort((a, b) => trainRecord.get(b)!.meanScore - trainRecord.get(a)!.meanScore)[0] ?? models[0] ?? '';
  const pairLines = test.map((line, i) => ({ line, i })).filter(({ line }) => line.outcomes[weak] && line.outcomes[strong]);
  const pair = pairMetrics(
    pairLines.map(({ line, i }) => ({
      // Differences below 1e-9 are float noise, not a preference: they tie (and ties count as random order).
      gain: Math.round((predictedPerLine[i]!.get(strong)! - predictedPerLine[i]!.get(weak)!) * 1e9) / 1e9,
      weakScore: line.outcomes[weak]!.score,
      strongScore: line.outcomes[strong]!.score,
    })),
  );

  const perModel: Record<string, EvalChoiceSummary> = {};
  for (const m of models) {
    const lines = test.filter((line) => line.outcomes[m]);
    perModel[m] = {
      quality: mean(lines.map((line) => line.outcomes[m]!.score)),
      costUsd: mean(lines.map((line) => line.outcomes[m]!.costUsd ?? meanCost(m))),
    };
  }
  const fixed = (model: string): EvalChoiceSummary => perModel[model] ?? { quality: 0, costUsd: 0 };
  const oracle = mean(test.map((line) => Math.max(...Object.values(line.outcomes).map((o) => o.score))));
  const oracleCost = mean(
    test.map((line) => {
      const best = Math.max(...Object.values(line.outcomes).map((o) => o.score));
      return Math.min(...Object.entries(line.outcomes).filter(([, o]) => o.score === best).map(([m, o]) => o.costUsd ?? meanCost(m)));
    }),
  );
  const choices = Object.fromEntries(priorities.map((p) => {
    const t = picks.get(p)!;
    return [p, { quality: t.n ? t.quality / t.n : 0, costUsd: t.n ? t.costUsd / t.n : 0 }];
  })) as Record<RoutingPriority, EvalChoiceSummary>;
  return {
    models,
    predictions,
    summary: {
      priority,
      trainPrompts: train.length,
      testPrompts: test.length,
      pair: { weak, strong, ...pair },
      choices: { ...choices, 'always-cheapest': fixed(weak), 'always-best': fixed(strong), oracle: { quality: oracle, costUsd: oracleCost } },
      perModel,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

function testMeanCost(test: readonly OutcomeLine[], model: string): number {
  return mean(test.flatMap((line) => (line.outcomes[model]?.costUsd !== undefined ? [line.outcomes[model]!.costUsd!] : [])));
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
