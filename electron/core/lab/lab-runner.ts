import { CodedError, toTandemError, type ErrorCode } from '../../../shared/ipc/errors';
import type { TaskTag } from '../../../shared/ipc/routes/compare';
import { AUTO_MODEL_ID } from '../../../shared/ipc/routes/routing';
import type { LabRun, LabRunPart, LabTask, LabTaskResult, TaskSet } from '../../../shared/ipc/routes/lab';
import type { LoadedModelStatus } from '../../../shared/ipc/routes/models';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import { detectTaskTag } from '../compare/task-tags';
import { judgeAnswerWithUsage } from '../strategies/judge';
import { gradeAnswer, responseFormatFor, type Grade } from './graders';
import { measureCall } from './lab-call';
import { summariseModels } from './lab-summary';
import { LocalSlot } from './local-slot';

export interface LabRunnerDeps {
  /** The model with routing's budget, queue, circuit and cache around it. */
  resolveModel: (modelId: string) => Promise<LanguageModel>;
  isCloud: (modelId: string) => boolean;
  /** Loaded local models and the memory each holds (model and context). */
  loaded: () => readonly Pick<LoadedModelStatus, 'modelId' | 'memoryBytes' | 'kind'>[];
  /** One task's grades over the models of one run index, as a router outcome. */
  recordOutcome: (prompt: string, task: TaskTag, outcomes: Record<string, { score: number; costUsd?: number }>) => void;
  /** The judge when a task names none (the first local model); null when there is none. */
  defaultJudgeModelId: () => Promise<string | null>;
  /** maxTokens for tasks that set none. */
  maxTokens: () => number;
  /** Loads a local model before its timed call, so time to first token does not measure the load. */
  prepareLocal?: (modelId: string, signal: AbortSignal) => Promise<void>;
}

interface Job {
  modelId: string;
  task: LabTask;
  taskIndex: number;
  modelIndex: number;
  run: number;
  local: boolean;
}

/** How often a local model's memory is read while it answers. */
const MEMORY_SAMPLE_MS = 200;

/**
 * Failures that say nothing about a model's quality (the provider, the
 * network, a budget, a queue or circuit, a stop): such results count as
 * errors in the table but are left out of the router's outcomes. A model's
 * own failures (CONTEXT_TOO_LONG, BAD_RESPONSE, CONTENT_FILTERED,
 * GENERATION_FAILED, …) score 0 there.
 */
const INFRASTRUCTURE_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BUDGET_EXCEEDED',
  'RATE_LIMITED',
  'AUTH',
  'NETWORK',
  'SERVER',
  'TIMEOUT',
  'CANCELLED',
  'DISCONNECTED',
  'MODEL_NOT_FOUND',
  'MODEL_LOAD_FAILED',
  'NO_MODEL_AVAILABLE',
  'LOCAL_ONLY',
  'STORAGE_FAILED',
  'DISK_FULL',
  'INTERNAL',
]);

/**
 * Runs one lab run: every (run index, task, model) call, at most `parallel`
 * at once and one local call at a time; grades each answer; streams progress
 * and results; records each task's grades as an outcome once every model
 * answered it in that run index. Stopping (the signal) aborts the calls in
 * flight and ends with what finished.
 */
export class LabRunner {
  private readonly models = new Map<string, Promise<LanguageModel>>();
  /** The id the runtime knows each local model by (a path given as id resolves to the library's id). */
  private readonly runtimeIds = new Map<string, string>();
  private readonly peakMemory = new Map<string, number>();

  constructor(
    private readonly deps: LabRunnerDeps,
    private readonly set: TaskSet,
    private readonly parallel: number,
    /** Shared by every run of the lab: one local call at a time overall. */
    private readonly slot: LocalSlot = new LocalSlot(),
  ) {}

  /** Runs `run` (status running, no results) to its end; returns it done or cancelled, with its results and table. */
  async execute(run: LabRun, emit: (part: LabRunPart) => void, signal: AbortSignal): Promise<LabRun> {
    const pending: Job[] = [];
    for (let r = 1; r <= run.runs; r += 1) {
      this.set.tasks.forEach((task, taskIndex) => {
        run.modelIds.forEach((modelId, modelIndex) => {
          // Auto is not in the one-local-call slot: it may route to the cloud (a local pick then waits in the runtime's own queue).
          pending.push({ modelId, task, taskIndex, modelIndex, run: r, local: this.isLocal(modelId) });
        });
      });
    }
    const total = pending.length;
    const results: LabTaskResult[] = [];
    const groups = new Map<string, { left: number; outcomes: Record<string, { score: number; costUsd?: number }> }>();
    const inFlight = new Set<Job>();
    let done = 0;

    await new Promise<void>((finished) => {
      const pump = () => {
        while (!signal.aborted && inFlight.size < this.parallel) {
          // One local job of this run at a time (it may still wait for the shared slot: a judge, another run).
          const localRunning = [...inFlight].some((job) => job.local);
          const index = pending.findIndex((job) => !job.local || !localRunning);
          if (index < 0) break;
          const job = pending.splice(index, 1)[0]!;
          inFlight.add(job);
          emit({ type: 'progress', done, total, current: label(job) });
          void this.runJob(job, signal)
            .catch((error: unknown): Settled => {
              const coded = toTandemError(error);
              return { result: failed(job, coded), graded: false, infrastructure: isInfrastructure(coded.code, coded.retryable) };
            })
            .then((settled) => {
              inFlight.delete(job);
              try {
                if (settled && !signal.aborted) {
                  results.push(settled.result);
                  done += 1;
                  emit({ type: 'result', result: settled.result });
                  const next = [...inFlight][0];
                  emit({ type: 'progress', done, total, ...(next ? { current: label(next) } : {}) });
                  this.noteOutcome(groups, job, settled, run.modelIds.length);
                }
              } finally {
                // Whatever happened to this result, the run goes on (and ends).
                pump();
              }
            });
        }
        if (inFlight.size === 0 && (pending.length === 0 || signal.aborted)) finished();
      };
      pump();
    });

    results.sort((a, b) => order(this.set, run.modelIds, a) - order(this.set, run.modelIds, b));
    return {
      ...run,
      endedAt: new Date().toISOString(),
      status: signal.aborted ? 'cancelled' : 'done',
      results,
      models: summariseModels(
        run.modelIds,
        results,
        (modelId) => (this.isLocal(modelId) ? 'local' : 'cloud'),
        (modelId) => this.peakMemory.get(modelId) ?? null,
      ),
    };
  }

  private noteOutcome(
    groups: Map<string, { left: number; outcomes: Record<string, { score: number; costUsd?: number }> }>,
    job: Job,
    settled: Settled,
    models: number,
  ): void {
    const key = `${job.run}\u0000${job.task.id}`;
    const group = groups.get(key) ?? { left: models, outcomes: {} };
    groups.set(key, group);
    group.left -= 1;
    const { result } = settled;
    // A failed call scores 0; an answer the grader could not score, or a failure of the provider, network, budget or a stop, says nothing about the model.
    if (result.error === null || (!settled.graded && !settled.infrastructure)) {
      group.outcomes[job.modelId] = { score: result.score ?? 0, ...(result.costUsd === null ? {} : { costUsd: result.costUsd }) };
    }
    if (group.left > 0) return;
    groups.delete(key);
    if (Object.keys(group.outcomes).length === 0) return;
    try {
      this.deps.recordOutcome(job.task.prompt, job.task.tag ?? detectTaskTag(job.task.prompt), group.outcomes);
    } catch {
      // The outcome log reports its own write failures; a benchmark result is never lost to it.
    }
  }

  /** One call, measured and graded; null only when the user stopped the run before it ended. */
  private async runJob(job: Job, signal: AbortSignal): Promise<Settled | null> {
    const release = job.local ? await this.slot.acquire(signal) : null;
    if (job.local && !release) return null;
    const stopSampling = job.local ? this.sampleMemory(job.modelId) : () => undefined;
    let measured;
    try {
      if (job.local && this.deps.prepareLocal) {
        try {
          await this.deps.prepareLocal(job.modelId, signal);
        } catch (error) {
          const coded = toTandemError(error);
          if (signal.aborted) return null;
          return { result: failed(job, coded), graded: false, infrastructure: isInfrastructure(coded.code, coded.retryable) };
        }
      }
      measured = await measureCall(() => this.model(job.modelId), this.request(job.task), job.modelId, (id) => this.isLocal(id), signal);
    } finally {
      stopSampling();
      release?.();
    }
    if (signal.aborted) return null;
    // Cancelled without the user's Stop (a closing queue, a shutdown): a result with that error, so the run's count still adds up.
    const error = measured.error ?? (measured.cancelled ? { code: 'CANCELLED' as const, message: 'The call was cancelled before it answered' } : null);
    const base: LabTaskResult = {
      modelId: job.modelId,
      taskId: job.task.id,
      run: job.run,
      score: null,
      answer: measured.answer,
      ttftMs: round(measured.ttftMs),
      tokensPerSecond: round(measured.tokensPerSecond),
      totalMs: round(measured.totalMs)!,
      inputTokens: measured.inputTokens,
      outputTokens: measured.outputTokens,
      costUsd: measured.costUsd,
      error,
      ...(measured.cached ? { note: 'answered from the response cache' } : {}),
    };
    if (error) return { result: base, graded: false, infrastructure: isInfrastructure(error.code, measured.errorRetryable) };
    let grade: Grade & { costUsd?: number | null };
    try {
      grade = await this.grade(job.task, measured.answer, signal);
    } catch (thrown) {
      const { code, message } = toTandemError(thrown);
      if (signal.aborted) return null;
      return { result: { ...base, error: { code, message: `Grading failed: ${message}` } }, graded: true, infrastructure: false };
    }
    const note = [grade.note, base.note].filter(Boolean).join('; ');
    // A judge's own cost is part of what the result cost (unknown when the judge's price is).
    const costUsd = grade.costUsd === undefined ? base.costUsd : base.costUsd === null || grade.costUsd === null ? null : base.costUsd + grade.costUsd;
    return { result: { ...base, score: grade.score, costUsd, ...(note ? { note } : {}) }, graded: true, infrastructure: false };
  }

  /** A model that runs on this computer (Auto is not: where it answers is its decision). */
  private isLocal(modelId: string): boolean {
    return modelId !== AUTO_MODEL_ID && !this.deps.isCloud(modelId);
  }

  private request(task: LabTask): GenerateRequest {
    const responseFormat = responseFormatFor(task.grader);
    return {
      messages: [{ role: 'user', text: task.prompt }],
      maxTokens: task.maxTokens ?? this.deps.maxTokens(),
      ...(task.systemPrompt ? { systemPrompt: task.systemPrompt } : {}),
      ...(responseFormat ? { responseFormat } : {}),
    };
  }

  private async grade(task: LabTask, answer: string, signal: AbortSignal): Promise<Grade & { costUsd?: number | null }> {
    const grader = task.grader;
    if (grader.type !== 'judge') return gradeAnswer(grader, answer, task.reference);
    const judgeId = grader.judgeModelId ?? (await this.deps.defaultJudgeModelId());
    if (!judgeId) throw new CodedError('NO_MODEL_AVAILABLE', 'There is no local model to judge with: add one, or name a judgeModelId in the task');
    const model = await this.model(judgeId);
    const local = this.isLocal(judgeId);
    const release = local ? await this.slot.acquire(signal) : null;
    if (local && !release) throw new CodedError('CANCELLED', 'Stopped');
    try {
      const input = { question: task.prompt, answer, rubric: grader.rubric, ...(task.reference ? { reference: task.reference } : {}) };
      const { verdict, usage } = await judgeAnswerWithUsage(model, input, signal);
      const costUsd = usage?.costUsd ?? (local ? 0 : null);
      return { score: verdict.score, note: `judge ${judgeId}: ${verdict.raw}/10${verdict.reason ? ` — ${verdict.reason}` : ''}`, costUsd };
    } finally {
      release?.();
    }
  }

  /** Each model is resolved once per run (its wrappers work per call). */
  private model(modelId: string): Promise<LanguageModel> {
    let model = this.models.get(modelId);
    if (!model) {
      model = this.deps.resolveModel(modelId).then((resolved) => {
        this.runtimeIds.set(modelId, resolved.id);
        return resolved;
      });
      // A model that cannot be resolved fails each of its calls with the same error.
      this.models.set(modelId, model);
    }
    return model;
  }

  /** Reads the local model's memory now and every MEMORY_SAMPLE_MS until the returned stop is called (which reads it once more). */
  private sampleMemory(modelId: string): () => void {
    const sample = () => {
      const runtimeId = this.runtimeIds.get(modelId) ?? modelId;
      for (const status of this.deps.loaded()) {
        if (status.kind !== 'chat' || (status.modelId !== runtimeId && status.modelId !== modelId)) continue;
        this.peakMemory.set(modelId, Math.max(this.peakMemory.get(modelId) ?? 0, status.memoryBytes));
      }
    };
    sample();
    const timer = setInterval(sample, MEMORY_SAMPLE_MS);
    timer.unref?.();
    return () => {
      clearInterval(timer);
      sample();
    };
  }
}

interface Settled {
  result: LabTaskResult;
  /** The call answered and a grader ran (a grading failure is then not the model's). */
  graded: boolean;
  /** The call failed for a reason that is not the model's (left out of outcomes). */
  infrastructure: boolean;
}

export function isInfrastructure(code: ErrorCode, retryable: boolean): boolean {
  return retryable || INFRASTRUCTURE_ERRORS.has(code);
}

function failed(job: Job, error: { code: ErrorCode; message: string }): LabTaskResult {
  return {
    modelId: job.modelId,
    taskId: job.task.id,
    run: job.run,
    score: null,
    answer: '',
    ttftMs: null,
    tokensPerSecond: null,
    totalMs: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0, // it failed before answering: nothing was billed that we know of
    error: { code: error.code, message: error.message },
  };
}

function label(job: Job): string {
  return `${job.modelId} · ${job.task.id}`;
}

function order(set: TaskSet, modelIds: readonly string[], result: LabTaskResult): number {
  const taskIndex = set.tasks.findIndex((t) => t.id === result.taskId);
  return (result.run * set.tasks.length + taskIndex) * modelIds.length + modelIds.indexOf(result.modelId);
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
