import { CodedError } from '../../../shared/ipc/errors';
import { AUTO_MODEL_ID } from '../../../shared/ipc/routes/routing';
import type { StepRecord, Usage } from '../../../shared/ipc/stream-parts';
import type { LanguageModel } from '../models/language-model';
import { DEFAULT_RUBRIC, judgeAnswerWithUsage } from './judge';
import { type PipelineContext, type ResolvedStep, type TurnBase } from './pipeline';
import { StepMeter } from './step-meter';
import { runStep, type StepOutcome } from './step-runner';

/** A candidate answer's model: resolved, or why it may not be asked (then the candidate fails with it and is skipped). */
export interface CandidateModel {
  modelId: string;
  model: LanguageModel | CodedError;
}

/** What the judge's scores teach the router: per model, the mean score of its candidates and what one answer cost. */
export interface JudgeOutcome {
  prompt: string;
  outcomes: Record<string, { score: number; costUsd?: number }>;
}

export interface BestOfNOptions {
  candidates: CandidateModel[];
  samples: number;
  judge: ResolvedStep;
  rubric?: string;
  /** Called once with the scores (when the judge scored any candidate of a known model). */
  onOutcome?: (outcome: JudgeOutcome) => void;
}

interface Scored {
  outcome: StepOutcome;
  score?: number;
  reason?: string;
}

/**
 * Best of N: each model answers `samples` times (other seeds for other
 * samples): local candidates one after another, cloud ones in parallel, each
 * a `candidate` step. The local judge then scores every answer against the
 * rubric (a `judge` step listing the scores), the candidates' records are
 * saved again with score, reason and `chosen`, and the best answer is the
 * turn's answer. A failing candidate is skipped; when all fail the turn ends
 * with the error. An unscorable candidate keeps no score; when none could be
 * scored the first answer is shown.
 */
export async function runBestOfN(context: PipelineContext, base: TurnBase, options: BestOfNOptions): Promise<void> {
  const { emit, signal, isCloud } = context;
  const specs = options.candidates.flatMap((candidate) =>
    Array.from({ length: options.samples }, (_, sample) => ({ candidate, sample })),
  );
  const many = specs.length > 1;
  const outcomes: StepOutcome[] = new Array<StepOutcome>(specs.length);
  const run = async (index: number) => {
    const { candidate, sample } = specs[index]!;
    const seed = options.samples > 1 ? (base.request.seed ?? 0) + sample + 1 : base.request.seed;
    outcomes[index] = await runStep(
      {
        step: index,
        role: 'candidate',
        label: `Candidate ${index + 1} (${candidate.modelId}${options.samples > 1 ? `, sample ${sample + 1}` : ''})`,
        modelId: candidate.modelId,
        model: candidate.model,
        request: {
          ...base.request,
          messages: base.conversation,
          ...(seed === undefined ? {} : { seed }),
          // Samples of one model differ only if it samples: greedy decoding would repeat itself.
          ...(options.samples > 1 && base.request.temperature === undefined ? { temperature: 0.8 } : {}),
        },
        cloud: isCloud(candidate.modelId),
      },
      emit,
      signal,
    );
  };
  const indices = specs.map((_, i) => i);
  const cloud = indices.filter((i) => isCloud(specs[i]!.candidate.modelId));
  const local = indices.filter((i) => !isCloud(specs[i]!.candidate.modelId));
  // Local models share the machine: one after another. Cloud candidates run meanwhile, in parallel.
  const localChain = (async () => {
    for (const i of local) {
      if (signal.aborted) return;
      await run(i);
    }
  })();
  await Promise.all([localChain, ...cloud.map(run)]);
  if (signal.aborted || outcomes.some((o) => o?.cancelled)) {
    emit({ type: 'finish', reason: 'cancelled' });
    return;
  }
  const answered = outcomes.filter((o) => !o.error);
  if (answered.length === 0) {
    const first = outcomes.find((o) => o.error)!.error!;
    const message = many ? `Every candidate failed; the first: ${first.message}` : first.message;
    emit({ type: 'error', code: first.code, message, retryable: first.retryable });
    return;
  }

  // The judge scores every answer, one after another (it is a local model).
  const judgeStep = specs.length;
  const meter = new StepMeter(0, isCloud(options.judge.modelId));
  emit({ type: 'step-start', step: judgeStep, role: 'judge', modelId: options.judge.modelId, label: 'Judge' });
  const scored: Scored[] = answered.map((outcome) => ({ outcome }));
  let judgeText = '';
  let judgeError: { code: CodedError['code']; message: string } | null = null;
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let judgeCost = 0;
  let judgeCostKnown = true;
  let cancelled = false;
  for (const entry of scored) {
    try {
      const judged = await judgeAnswerWithUsage(
        options.judge.model,
        { question: base.question, answer: entry.outcome.text, rubric: options.rubric?.trim() || DEFAULT_RUBRIC },
        signal,
      );
      entry.score = judged.verdict.score;
      entry.reason = judged.verdict.reason;
      if (judged.usage) {
        usage.inputTokens += judged.usage.inputTokens;
        usage.outputTokens += judged.usage.outputTokens;
        if (judged.usage.costUsd !== undefined) judgeCost += judged.usage.costUsd;
        else judgeCostKnown = false;
      }
      const line = `${entry.outcome.record.label}: ${judged.verdict.raw}/10${judged.verdict.reason ? ` — ${judged.verdict.reason}` : ''}\n`;
      judgeText += line;
      meter.text(line);
      emit({ type: 'step-delta', step: judgeStep, text: line });
    } catch (thrown) {
      const coded = thrown instanceof CodedError ? thrown : new CodedError('GENERATION_FAILED', (thrown as Error)?.message ?? String(thrown));
      if (coded.code === 'CANCELLED' || signal.aborted) {
        cancelled = true;
        break;
      }
      judgeError ??= { code: coded.code, message: `${entry.outcome.record.label}: ${coded.message}` };
      const line = `${entry.outcome.record.label}: not scored (${coded.message})\n`;
      judgeText += line;
      meter.text(line);
      emit({ type: 'step-delta', step: judgeStep, text: line });
    }
  }
  meter.setUsage({ ...usage, ...(judgeCostKnown ? { costUsd: judgeCost } : {}) });
  meter.finish(cancelled ? 'cancelled' : judgeError && scored.every((s) => s.score === undefined) ? 'error' : 'stop');
  const judgeRecord: StepRecord = {
    step: judgeStep,
    role: 'judge',
    modelId: options.judge.modelId,
    label: 'Judge',
    text: judgeText,
    stats: meter.stats(),
    error: judgeError,
  };
  emit({ type: 'step-end', record: judgeRecord });
  if (cancelled) {
    emit({ type: 'finish', reason: 'cancelled' });
    return;
  }

  // The best score wins; on a tie, the earlier candidate. Unscored answers lose to any scored one.
  let best = scored[0]!;
  for (const entry of scored) if ((entry.score ?? -1) > (best.score ?? -1)) best = entry;
  for (const entry of scored) {
    const record: StepRecord = {
      ...entry.outcome.record,
      ...(entry.score === undefined ? {} : { score: entry.score, reason: entry.reason ?? '' }),
      chosen: entry === best,
    };
    emit({ type: 'step-end', record });
  }
  if (best.outcome.text) emit({ type: 'text-delta', text: best.outcome.text });
  if (best.outcome.usage) emit({ type: 'usage', usage: best.outcome.usage });
  emit({ type: 'finish', reason: best.outcome.finishReason ?? 'stop' });

  const outcome = judgeOutcome(base.question, scored);
  if (outcome && options.onOutcome) options.onOutcome(outcome);
}

/** Per model (Auto's answers credited to the model it picked), the mean score and mean cost of its scored candidates. */
function judgeOutcome(prompt: string, scored: Scored[]): JudgeOutcome | null {
  const byModel = new Map<string, { scores: number[]; costs: number[] }>();
  for (const entry of scored) {
    const modelId = entry.outcome.record.modelId;
    if (entry.score === undefined || modelId === AUTO_MODEL_ID) continue;
    const group = byModel.get(modelId) ?? { scores: [], costs: [] };
    group.scores.push(entry.score);
    const cost = entry.outcome.record.stats.costUsd;
    if (cost !== null) group.costs.push(cost);
    byModel.set(modelId, group);
  }
  if (byModel.size === 0 || prompt.trim() === '') return null;
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    prompt,
    outcomes: Object.fromEntries(
      [...byModel].map(([modelId, group]) => [modelId, { score: mean(group.scores), ...(group.costs.length ? { costUsd: mean(group.costs) } : {}) }]),
    ),
  };
}
