import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CodedError } from '../../../shared/ipc/errors';
import type { LabEstimate, LabRun, LabRunPart, LabRunSummary, LabTaskResult, TaskSet, TaskSetSummary } from '../../../shared/ipc/routes/lab';
import { AUTO_MODEL_ID } from '../../../shared/ipc/routes/routing';
import type { LanguageModel } from '../models/language-model';
import type { LocalRuntime } from '../models/local-runtime';
import { NO_ROUTE_CONTEXT, type RouteContext, type RoutingService } from '../routing/routing-service';
import { judgeRequest } from '../strategies/judge';
import { LabRunner } from './lab-runner';
import { summariseModels } from './lab-summary';
import { LocalSlot } from './local-slot';
import { exportRun, type ExportedFile } from './results-export';
import { RunStore } from './run-store';
import { parseTaskSetJsonl, type SkippedLine } from './task-set-jsonl';
import { TaskSetStore } from './task-set-store';

export interface LabServiceOptions {
  /** The lab's folder (task sets and runs) in the data dir. */
  dir: string;
  resolveModel: (modelId: string, context: RouteContext) => Promise<LanguageModel>;
  /** Whether a model id is a cloud model (`PROVIDER/MODEL`). */
  isCloud: (modelId: string) => boolean;
  runtime: Pick<LocalRuntime, 'loaded'>;
  routing: Pick<RoutingService, 'estimate' | 'recordOutcome'>;
  onChanged: () => void;
  /** The judge for tasks that name none: the first local chat model (null when there is none). */
  defaultJudgeModelId?: () => Promise<string | null>;
  /** maxTokens for tasks that set none (the app's setting). */
  maxTokens?: () => number;
  /** Loads a local model before its first timed call (time to first token then measures the answer, not the load). */
  prepareLocal?: (modelId: string, signal: AbortSignal) => Promise<void>;
}

export interface LabRunRequest {
  setId: string;
  modelIds: string[];
  runs?: number;
  parallel?: number;
}

const DEFAULT_MAX_TOKENS = 512;
/** Lab calls go through budgets, queues and circuits like any other, but never the response cache: a replay measures nothing. */
const LAB_CONTEXT: RouteContext = { ...NO_ROUTE_CONTEXT, cache: false };

/** The benchmark lab: task sets (JSONL), runs of models × tasks × N, graders, results as outcomes. */
export class LabService {
  private readonly sets: TaskSetStore;
  private readonly runs: RunStore;
  private readonly active = new Set<string>();
  /** One local model call at a time across all runs. */
  private readonly localSlot = new LocalSlot();

  constructor(readonly options: LabServiceOptions) {
    this.sets = new TaskSetStore(join(options.dir, 'sets'));
    this.runs = new RunStore(join(options.dir, 'runs'), () => this.active);
  }

  listSets(): Promise<TaskSetSummary[]> {
    return this.sets.list();
  }

  getSet(setId: string): Promise<TaskSet> {
    return this.sets.get(setId);
  }

  /** Imports JSONL as a new task set; bad lines are skipped and reported by number. */
  async importSet(name: string, jsonl: string): Promise<{ set: TaskSetSummary; skipped: SkippedLine[] }> {
    const imported = await this.sets.import(name, jsonl);
    this.options.onChanged();
    return imported;
  }

  /** A set with exactly these tasks when one was imported before (this name first), else a new import: the CLI's way in. */
  async importOrReuseSet(name: string, jsonl: string): Promise<{ set: TaskSetSummary; skipped: SkippedLine[]; reused: boolean }> {
    const same = await this.sets.findSame(name, jsonl);
    if (same) return { set: same, skipped: parseTaskSetJsonl(jsonl).skipped, reused: true };
    return { ...(await this.importSet(name, jsonl)), reused: false };
  }

  exportSet(setId: string): Promise<ExportedFile> {
    return this.sets.export(setId);
  }

  async deleteSet(setId: string): Promise<void> {
    await this.sets.delete(setId);
    this.options.onChanged();
  }

  /**
   * What a run would cost: calls = tasks × models × runs; each cloud model's
   * cost is its estimate per prompt summed over tasks and runs (null when its
   * price is unknown); local models cost nothing. A cloud judge's calls (one
   * per judged answer) are a row of their own, or added to its model's row.
   * `unpricedModelIds` names the models the total leaves out.
   */
  async estimate(request: LabRunRequest): Promise<LabEstimate> {
    const set = await this.sets.get(request.setId);
    const runs = request.runs ?? 1;
    const modelIds = unique(request.modelIds);
    const rows = new Map<string, { calls: number; cost: number | null }>();
    const add = (modelId: string, calls: number, cost: number | null) => {
      const row = rows.get(modelId) ?? { calls: 0, cost: 0 };
      row.calls += calls;
      row.cost = row.cost === null || cost === null ? null : row.cost + cost;
      rows.set(modelId, row);
    };
    for (const modelId of modelIds) {
      let cost: number | null = 0;
      for (const task of set.tasks) {
        const text = task.systemPrompt ? `${task.systemPrompt}\n\n${task.prompt}` : task.prompt;
        const { estimatedCostUsd } = await this.options.routing.estimate(text, modelId, NO_ROUTE_CONTEXT);
        if (estimatedCostUsd === null) {
          cost = null;
          break;
        }
        cost += estimatedCostUsd * runs;
      }
      add(modelId, set.tasks.length * runs, cost);
    }
    // Judge calls: one per answer of a judged task; counted when the judge is a cloud model (or Auto).
    let defaultJudge: string | null | undefined;
    for (const task of set.tasks) {
      if (task.grader.type !== 'judge') continue;
      const judgeId = task.grader.judgeModelId ?? (defaultJudge ??= (await this.options.defaultJudgeModelId?.()) ?? null);
      if (!judgeId || (judgeId !== AUTO_MODEL_ID && !this.options.isCloud(judgeId))) continue;
      const judged = judgeRequest({ question: task.prompt, answer: '', rubric: task.grader.rubric, ...(task.reference ? { reference: task.reference } : {}) });
      const text = [judged.systemPrompt ?? '', ...judged.messages.map((m) => ('text' in m ? m.text : ''))].join('\n\n');
      const { estimatedCostUsd } = await this.options.routing.estimate(text, judgeId, NO_ROUTE_CONTEXT);
      const calls = modelIds.length * runs;
      add(judgeId, calls, estimatedCostUsd === null ? null : estimatedCostUsd * calls);
    }
    const perModel: LabEstimate['perModel'] = [...rows].map(([modelId, row]) => ({ modelId, calls: row.calls, estimatedCostUsd: row.cost }));
    return {
      calls: perModel.reduce((sum, m) => sum + m.calls, 0),
      estimatedCostUsd: perModel.reduce((sum, m) => sum + (m.estimatedCostUsd ?? 0), 0),
      unpricedModelIds: perModel.filter((m) => m.estimatedCostUsd === null).map((m) => m.modelId),
      perModel,
    };
  }

  /**
   * Starts a run: saves it as running and answers its id and call count at
   * once; `run` does the work, streaming progress, results and the summary
   * last (also after a stop, with what finished), and saves it at the end.
   */
  async startRun(request: LabRunRequest): Promise<{
    info: { runId: string; total: number };
    run: (emit: (part: LabRunPart) => void, signal: AbortSignal) => Promise<LabRunSummary>;
  }> {
    const set = await this.sets.get(request.setId);
    const modelIds = unique(request.modelIds);
    if (modelIds.length === 0) throw new CodedError('INVALID_INPUT', 'Choose at least one model');
    const runs = request.runs ?? 1;
    const id = randomUUID();
    const started: LabRun = {
      id,
      setId: set.id,
      setName: set.name,
      modelIds,
      runs,
      startedAt: new Date().toISOString(),
      endedAt: null,
      status: 'running',
      models: summariseModels(modelIds, [], (m) => this.kindOf(m), () => null),
      results: [],
    };
    this.active.add(id);
    try {
      await this.runs.save(started);
    } catch (error) {
      this.active.delete(id);
      throw new CodedError('STORAGE_FAILED', `The lab run could not be saved: ${(error as Error).message}`);
    }
    this.options.onChanged();
    const runner = new LabRunner(
      {
        resolveModel: (modelId) => this.options.resolveModel(modelId, LAB_CONTEXT),
        isCloud: (modelId) => this.options.isCloud(modelId),
        loaded: () => this.options.runtime.loaded(),
        recordOutcome: (prompt, task, outcomes) => this.options.routing.recordOutcome(null, { prompt, task, outcomes }, 'lab'),
        defaultJudgeModelId: this.options.defaultJudgeModelId ?? (async () => null),
        maxTokens: this.options.maxTokens ?? (() => DEFAULT_MAX_TOKENS),
        prepareLocal: this.options.prepareLocal,
      },
      set,
      request.parallel ?? 1,
      this.localSlot,
    );
    return {
      info: { runId: id, total: set.tasks.length * modelIds.length * runs },
      run: async (emit, signal) => {
        // Each result is appended to the run's log as it lands: a crash before the end keeps every one.
        const landed: LabTaskResult[] = [];
        let appending: Promise<void> = Promise.resolve();
        const record = (part: LabRunPart) => {
          if (part.type === 'result') {
            landed.push(part.result);
            appending = appending.then(() => this.runs.appendResult(id, part.result)).catch(() => undefined);
          }
          emit(part);
        };
        let finished: LabRun;
        try {
          finished = await runner.execute(started, record, signal);
        } catch (error) {
          await appending;
          finished = {
            ...started,
            status: 'error',
            endedAt: new Date().toISOString(),
            results: landed,
            models: summariseModels(modelIds, landed, (m) => this.kindOf(m), () => null),
          };
          await this.runs.save(finished).catch(() => undefined);
          this.active.delete(id);
          this.options.onChanged();
          throw error;
        }
        await appending;
        let saveError: Error | null = null;
        await this.runs.save(finished).catch((error: Error) => (saveError = error));
        this.active.delete(id);
        this.options.onChanged();
        const { results: _results, ...summary } = finished;
        emit({ type: 'summary', run: summary });
        if (saveError) throw new CodedError('STORAGE_FAILED', `The lab run finished but could not be saved: ${(saveError as Error).message}`);
        return summary;
      },
    };
  }

  listRuns(): Promise<LabRunSummary[]> {
    return this.runs.list();
  }

  getRun(runId: string): Promise<LabRun> {
    return this.runs.get(runId);
  }

  async exportRun(runId: string, format: 'csv' | 'json'): Promise<ExportedFile> {
    return exportRun(await this.runs.get(runId), format);
  }

  /** Auto counts as cloud here: it may answer in the cloud, and its cost is what its picks cost. */
  private kindOf(modelId: string): 'local' | 'cloud' {
    return modelId === AUTO_MODEL_ID || this.options.isCloud(modelId) ? 'cloud' : 'local';
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
