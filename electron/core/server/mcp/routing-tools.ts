import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CodedError } from '../../../../shared/ipc/errors';
import { AUTO_MODEL_ID, RoutingPrioritySchema, type RouteDecision, type RoutingPriority } from '../../../../shared/ipc/routes/routing';
import type { Core } from '../../app/create-core';
import type { GenerateRequest } from '../../models/language-model';
import { NO_ROUTE_CONTEXT } from '../../routing/routing-service';
import { jsonResult, type ToolCallUsage } from './tool-result';
import type { ToolRunner } from './tool-runner';

/** The largest context a caller may describe (tokens): beyond every model's window, so it still ranks them all as too short. */
const MAX_CONTEXT_LENGTH = 2_000_000;

/** LocalLama MCP's routing arguments. */
const TaskShape = {
  task: z.string().min(1).max(200_000).describe('The task or prompt to route (never sent to a model by this tool)'),
  context_length: z
    .number()
    .int()
    .min(0)
    .max(MAX_CONTEXT_LENGTH)
    .optional()
    .describe('Tokens of context the real request will carry (documents, code, history); default: the task’s own tokens'),
  expected_output_length: z.number().int().min(1).max(1_000_000).optional().describe('Tokens expected in the answer; default: the app’s max tokens setting'),
  complexity: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('0 (trivial) to 1 (hard). Without a priority: ≥ 0.7 routes for quality, ≤ 0.3 for cost, between them balanced'),
  priority: RoutingPrioritySchema.optional().describe('What to optimise: balanced, speed, cost, quality or privacy (privacy: local models only)'),
};
type TaskInput = z.infer<z.ZodObject<typeof TaskShape>>;

/** The priority a request asks for: given, else from the complexity, else the app's default. */
export function priorityFor(input: { priority?: RoutingPriority; complexity?: number }): { priority: RoutingPriority | undefined; from: 'argument' | 'complexity' | 'default' } {
  if (input.priority) return { priority: input.priority, from: 'argument' };
  if (input.complexity === undefined) return { priority: undefined, from: 'default' };
  return { priority: input.complexity >= 0.7 ? 'quality' : input.complexity <= 0.3 ? 'cost' : 'balanced', from: 'complexity' };
}

/**
 * The request Auto would see: the task as the user message and the expected
 * answer length as max tokens. `context_length` (when more than the task's
 * own tokens) is passed to the router as the prompt's size, so context
 * windows and costs are judged at the real size while quality is still
 * predicted from the task's words alone; nothing is padded or tokenized
 * beyond the task itself.
 */
export function routingRequest(input: Pick<TaskInput, 'task' | 'expected_output_length'>, maxTokens: number): GenerateRequest {
  return { messages: [{ role: 'user', text: input.task }], maxTokens: input.expected_output_length ?? maxTokens };
}

async function decide(core: Core, input: TaskInput, embed: boolean): Promise<{ decision: RouteDecision; priorityFrom: string }> {
  const { priority, from } = priorityFor(input);
  const request = routingRequest(input, core.settings.get().maxTokens);
  const decision = await core.routing.decide(request, { ...NO_ROUTE_CONTEXT, priority }, { embed, promptTokens: input.context_length });
  return { decision, priorityFrom: from };
}

function decisionView(decision: RouteDecision, priorityFrom: string) {
  return {
    model: decision.chosenModelId,
    reason: decision.reason,
    priority: decision.priority,
    priorityFrom,
    rule: decision.rule,
    similarity: decision.similarity ?? null,
    promptTokens: decision.features.promptTokens,
    expectedOutputTokens: decision.features.maxOutputTokens,
    decisionMs: decision.decisionMs,
    candidates: decision.candidates.map((c) => ({
      model: c.modelId,
      kind: c.kind,
      provider: c.provider,
      predictedQuality: c.predictedQuality,
      qualitySamples: c.qualitySamples,
      estimatedCostUsd: c.estimatedCostUsd,
      expectedTtftMs: c.expectedTtftMs,
      expectedTokensPerSec: c.expectedTokensPerSec,
      score: c.score,
      excluded: c.excluded,
    })),
  };
}

export function registerRoutingTools(server: McpServer, core: Core, run: ToolRunner): void {
  server.registerTool(
    'route_task',
    {
      title: 'Route a task',
      description:
        'Which model Tandem’s router (Auto) would pick for a task, and why: the chosen model, the reason, and every candidate ranked with predicted quality (0–1), estimated cost (USD) and expected speed, plus the excluded ones with the reason. Compares the task with past outcomes by embeddings when an embedding model is available. Calls no model.',
      inputSchema: TaskShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run('route_task', extra, async () => {
        const { decision, priorityFrom } = await decide(core, input, true);
        return jsonResult(decisionView(decision, priorityFrom));
      }),
  );

  server.registerTool(
    'preemptive_route_task',
    {
      title: 'Route a task (fast)',
      description:
        'The same decision as route_task from the task’s features and words only (no embedding model): the fastest way to pick a model before sending. Calls no model.',
      inputSchema: TaskShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run('preemptive_route_task', extra, async () => {
        const { decision, priorityFrom } = await decide(core, input, false);
        return jsonResult(decisionView(decision, priorityFrom));
      }),
  );

  const CostShape = {
    ...TaskShape,
    task: TaskShape.task.optional().describe('The task; or give context_length (and expected_output_length) alone'),
    model: z.string().min(1).max(1024).optional().describe('One model id (see list_models), or auto for Auto’s pick; default: every candidate'),
  };
  server.registerTool(
    'get_cost_estimate',
    {
      title: 'Estimate the cost',
      description:
        'Estimated cost in USD of a request on every candidate model (or on the named one; auto: on Auto’s pick): prompt tokens × input price + expected answer tokens × output price. Local and free models cost 0; a cloud model with an unknown price is listed with null. Give the task, or context_length and expected_output_length.',
      inputSchema: CostShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run('get_cost_estimate', extra, async () => {
        if (input.task === undefined && input.context_length === undefined) {
          throw new CodedError('INVALID_INPUT', 'Give the task, or context_length (tokens of the prompt) and expected_output_length');
        }
        const task = input.task ?? 'x';
        const { decision } = await decide(core, { ...input, task, context_length: input.context_length ?? undefined }, false);
        const rows = decision.candidates.map((c) => ({
          model: c.modelId,
          kind: c.kind,
          provider: c.provider,
          estimatedCostUsd: c.excluded?.code === 'unavailable' ? null : c.estimatedCostUsd,
          excluded: c.excluded,
        }));
        const base = { promptTokens: decision.features.promptTokens, expectedOutputTokens: decision.features.maxOutputTokens };
        if (input.model === undefined) return jsonResult({ ...base, estimates: rows });
        const wanted = input.model === AUTO_MODEL_ID ? decision.chosenModelId : input.model;
        const row = rows.find((r) => r.model === wanted);
        if (!row) {
          // Not among Auto's candidates (a model it does not know yet): the router's own estimate, for a model that exists.
          const exists = core.providers.owns(input.model) || (await core.library.list()).some((m) => m.id === input.model);
          if (!exists) throw new CodedError('MODEL_NOT_FOUND', `There is no model "${input.model}" (list_models gives the ids)`);
          const estimate = await core.routing.estimate(task, input.model, NO_ROUTE_CONTEXT);
          const cloud = core.providers.owns(input.model);
          return jsonResult({
            ...base,
            estimates: [{ model: input.model, kind: cloud ? 'cloud' : 'local', provider: cloud ? input.model.slice(0, input.model.indexOf('/')) : null, estimatedCostUsd: estimate.estimatedCostUsd, excluded: null }],
          });
        }
        return jsonResult({ ...base, ...(input.model === AUTO_MODEL_ID ? { autoPicks: wanted } : {}), estimates: [row] });
      }),
  );

  const DateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
  server.registerTool(
    'get_usage',
    {
      title: 'Usage and spend',
      description:
        'Requests, tokens, cost and savings per model and per day (UTC) in a period, with totals and the budget: spent today and this month, caps, forecast and alerts. Default period: this month so far.',
      inputSchema: { since: DateString.optional().describe('First day, YYYY-MM-DD'), until: DateString.optional().describe('Last day, YYYY-MM-DD') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run('get_usage', extra, async () => {
        if (input.since && input.until && input.since > input.until) throw new CodedError('INVALID_INPUT', 'since must not be after until');
        return jsonResult(core.routing.usageSummary({ since: input.since, until: input.until }));
      }),
  );
}

export type { ToolCallUsage };
