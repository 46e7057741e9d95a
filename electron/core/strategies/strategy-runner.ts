import type { ChatSettings, Strategy } from '../../../shared/ipc/chat-settings';
import type { ChatMessage } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { Citation } from '../../../shared/ipc/routes/documents';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { detectTaskTag } from '../compare/task-tags';
import type { GenerateRequest, LanguageModel, PromptMessage } from '../models/language-model';
import { AsyncQueue } from '../models/async-queue';
import { routeContextOf, type RouteContext } from '../routing/routing-service';
import { runBestOfN, type CandidateModel, type JudgeOutcome } from './best-of-n';
import { runCondense, type CondenseSources } from './condense';
import { runDraftRefine } from './draft-refine';
import { joinSystem, type PipelineContext, type ResolvedStep, type TurnBase } from './pipeline';

/** What retrieval gives a strategy turn (ChatTurnRunner's `retrieve`). */
export interface RetrievedSources {
  citations: Citation[];
  systemText: string;
  sources?: string[];
  withheldLocalOnly?: number;
}

export interface StrategyRunnerOptions {
  /** A step's model, with budgets, queues, circuit and cache (`auto`: the router); LOCAL_ONLY for a cloud model in a private or local-only context. */
  resolveModel: (modelId: string, context: RouteContext) => Promise<LanguageModel>;
  /** Whether a model id is a cloud (provider) model. */
  isCloud: (modelId: string) => boolean;
  hasLocalOnlyContent?: (collectionIds: string[]) => boolean;
  /** Retrieval for the answer of `modelId`: local-only chunks are left out (and counted) when it is a cloud model. */
  retrieve?: (collectionIds: string[], query: string, modelId: string) => Promise<RetrievedSources | null>;
  /** Best of N's judge scores, as router outcomes. */
  recordOutcome?: (outcome: { prompt: string; task: string; outcomes: JudgeOutcome['outcomes'] }) => void;
}

/** One chat turn under a strategy, as ChatTurnRunner hands it over. */
export interface StrategyTurn {
  chatId: string;
  settings: ChatSettings;
  strategy: Strategy;
  /** The user's new message as typed (retrieval, condensing and the judge read it). */
  question: string;
  /** What the model reads as the new message (attached resources included). */
  userText: string;
  /** The chat's messages before this turn, as saved. */
  history: readonly ChatMessage[];
  /** Saved messages as prompt messages (compare groups, tool calls and failed answers handled). */
  toPrompt: (messages: readonly ChatMessage[]) => PromptMessage[];
  /** Sampling settings, the chat's system prompt and maxTokens. */
  request: Omit<GenerateRequest, 'messages'>;
}

export interface PreparedStrategyTurn {
  /** The model saved as the answer's: the refiner, the answer model, or best of N's first (the chosen candidate's step names the real one). */
  modelId: string;
  /** The sources of the answer (streamed first, saved with it). */
  citations: Citation[] | null;
  /** The turn holds private or local-only content (MCP sampling during it stays local). */
  confidential: boolean;
  /** Runs the pipeline: step parts, the final answer as text-delta, then one finish or error. */
  stream(signal: AbortSignal): AsyncIterable<StreamPart>;
}

/**
 * Chat answers made by a pipeline of models (Chat settings → Strategy).
 * `prepare` does everything that may refuse the turn — privacy checks,
 * retrieval and resolving every step's model — before anything is sent or
 * saved; `stream` then runs the steps.
 */
export class StrategyRunner {
  constructor(private readonly options: StrategyRunnerOptions) {}

  async prepare(turn: StrategyTurn): Promise<PreparedStrategyTurn> {
    const { strategy, settings } = turn;
    const { isCloud } = this.options;
    const stepModelIds = modelIdsOf(strategy);
    // A private chat sends nothing to a cloud model, whichever step would.
    const refusedCloud = settings.private ? stepModelIds.find(isCloud) : undefined;
    if (refusedCloud) {
      throw new CodedError('LOCAL_ONLY', `This chat is private: nothing in it goes to cloud models such as ${refusedCloud}. Pick local models (or Auto) for every step of the strategy.`);
    }

    const collectionIds = settings.collectionIds ?? [];
    // Condense keeps local-only chunks from any cloud step (counted, never sent), so the cloud step may run; other strategies refuse it.
    const withholding = strategy.kind === 'condense' && (isCloud(strategy.condenseModelId) || isCloud(strategy.answerModelId));
    // Retrieval leaves local-only chunks out for a cloud model: for condense when any step is one; otherwise for the answering model
    // (best of N: a local candidate's, as cloud candidates are refused when local-only content is attached).
    const exposed =
      strategy.kind === 'condense'
        ? (stepModelIds.find(isCloud) ?? strategy.answerModelId)
        : strategy.kind === 'draft-refine'
          ? strategy.refineModelId
          : (strategy.modelIds.find((id) => !isCloud(id)) ?? strategy.modelIds[0]!);
    const retrieved =
      collectionIds.length > 0 && this.options.retrieve
        ? await this.options.retrieve(collectionIds, turn.question, exposed).catch(() => null) // a removed collection never blocks the chat
        : null;
    const citedLocalOnly = retrieved?.citations.some((c) => c.localOnly) ?? false;
    const attachedLocalOnly = collectionIds.length > 0 ? (this.options.hasLocalOnlyContent?.(collectionIds) ?? false) : false;
    const localOnlyContent = withholding ? citedLocalOnly : attachedLocalOnly || citedLocalOnly;
    const context = routeContextOf(turn.chatId, settings, localOnlyContent);
    const resolve = async (modelId: string): Promise<ResolvedStep> => ({ modelId, model: await this.options.resolveModel(modelId, context) });

    // Earlier answers grounded in local-only chunks stay out of what a cloud step reads.
    const history = withholding && attachedLocalOnly ? turn.history.filter((m) => !m.citations?.some((c) => c.localOnly)) : turn.history;
    const conversation: PromptMessage[] = [...turn.toPrompt(history), { role: 'user', text: turn.userText }];
    const base: TurnBase = {
      request: strategy.kind === 'condense' ? turn.request : { ...turn.request, systemPrompt: joinSystem(turn.request.systemPrompt, retrieved?.systemText) },
      conversation,
      question: turn.question,
    };

    let run: (context: PipelineContext) => Promise<void>;
    if (strategy.kind === 'draft-refine') {
      const draft = await resolve(strategy.draftModelId);
      const refine = await resolve(strategy.refineModelId);
      run = (ctx) => runDraftRefine(ctx, base, draft, refine);
    } else if (strategy.kind === 'condense') {
      const condense = await resolve(strategy.condenseModelId);
      const answer = await resolve(strategy.answerModelId);
      const sources: CondenseSources | null = retrieved
        ? {
            citations: retrieved.citations,
            systemText: retrieved.systemText,
            sources: retrieved.sources ?? [retrieved.systemText],
            withheldLocalOnly: retrieved.withheldLocalOnly ?? 0,
          }
        : null;
      run = (ctx) => runCondense(ctx, base, sources, condense, answer);
    } else {
      const candidates: CandidateModel[] = [];
      for (const modelId of strategy.modelIds) {
        // A candidate that may not be asked (a cloud model and local-only content) fails alone, saying why; the others answer.
        const model = await this.options.resolveModel(modelId, context).catch((error: unknown) => {
          if (error instanceof CodedError) return error;
          throw error;
        });
        candidates.push({ modelId, model });
      }
      const judge = await resolve(strategy.judgeModelId);
      const documents = collectionIds.length > 0 && retrieved !== null;
      const record = this.options.recordOutcome;
      run = (ctx) =>
        runBestOfN(ctx, base, {
          candidates,
          samples: strategy.samples ?? 1,
          judge,
          rubric: strategy.rubric,
          onOutcome: record ? (outcome) => record({ ...outcome, task: detectTaskTag(outcome.prompt, { documents }) }) : undefined,
        });
    }

    return {
      modelId: strategy.kind === 'draft-refine' ? strategy.refineModelId : strategy.kind === 'condense' ? strategy.answerModelId : strategy.modelIds[0]!,
      citations: retrieved?.citations.length ? retrieved.citations : null,
      confidential: (settings.private ?? false) || localOnlyContent || attachedLocalOnly,
      stream: (signal) => pipelineParts(run, signal, isCloud),
    };
  }
}

/**
 * Runs a pipeline and yields its parts. The pipeline's signal is its own,
 * linked to the caller's: it also aborts when the consumer stops iterating
 * (the chat turn ended, threw or broke out of its loop), so no step — and no
 * cloud call — runs after the turn is over.
 */
async function* pipelineParts(
  run: (context: PipelineContext) => Promise<void>,
  signal: AbortSignal,
  isCloud: (modelId: string) => boolean,
): AsyncGenerator<StreamPart> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  const parts = new AsyncQueue<StreamPart>();
  const ctx: PipelineContext = { emit: (part) => parts.push(part), signal: controller.signal, isCloud };
  try {
    void run(ctx)
      .catch((error: unknown) => {
        const coded = error instanceof CodedError ? error : null;
        parts.push({ type: 'error', code: coded?.code ?? 'GENERATION_FAILED', message: (error as Error)?.message ?? String(error), retryable: false });
      })
      .finally(() => parts.close());
    yield* parts;
  } finally {
    signal.removeEventListener('abort', stop);
    controller.abort();
  }
}

/** Every model a strategy asks. */
export function modelIdsOf(strategy: Strategy): string[] {
  if (strategy.kind === 'draft-refine') return [strategy.draftModelId, strategy.refineModelId];
  if (strategy.kind === 'condense') return [strategy.condenseModelId, strategy.answerModelId];
  return [...strategy.modelIds, strategy.judgeModelId];
}
