import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CodedError } from '../../../../shared/ipc/errors';
import { GraderSchema, type LabTaskResult } from '../../../../shared/ipc/routes/lab';
import type { Core } from '../../app/create-core';
import { checkToolModel, regexProblem } from './model-check';
import { jsonResult, type ToolCallUsage } from './tool-result';
import type { ToolExtra, ToolRunner } from './tool-runner';

/** A task without a reference or grader is scored by the lab's judge (the first local chat model unless the grader names one). */
const DEFAULT_RUBRIC = 'A correct, complete and concise answer to the task.';

const GraderArg = z
  .union([z.enum(['exact', 'contains', 'number']), GraderSchema])
  .optional()
  .describe(
    'How an answer is scored 0–1: exact | contains | number (against reference), {type: regex, pattern}, {type: json-schema, schema}, {type: judge, rubric, judgeModelId?}. Default: contains with a reference, else a judge',
  );

const TaskShape = {
  task: z.string().min(1).max(100_000).describe('The prompt'),
  reference: z.string().max(100_000).optional().describe('The expected answer'),
  grader: GraderArg,
  system_prompt: z.string().max(100_000).optional(),
  max_tokens: z.number().int().min(1).max(100_000).optional(),
};
const TaskArg = z.object({ id: z.string().min(1).max(200).optional(), ...TaskShape });
type TaskInput = z.infer<typeof TaskArg>;

const Models = z.array(z.string().min(1).max(1024)).min(1).max(8).describe('Model ids (list_models), auto included');
const Runs = z.number().int().min(1).max(20).optional().describe('Repetitions of every task per model (default 1)');

/** A lab task set line for one task. */
function taskLine(task: TaskInput): Record<string, unknown> {
  const grader = task.grader ?? (task.reference === undefined ? { type: 'judge', rubric: DEFAULT_RUBRIC } : undefined);
  return {
    ...(task.id ? { id: task.id } : {}),
    prompt: task.task,
    ...(task.reference !== undefined ? { reference: task.reference } : {}),
    ...(grader ? { grader } : {}),
    ...(task.system_prompt !== undefined ? { systemPrompt: task.system_prompt } : {}),
    ...(task.max_tokens !== undefined ? { maxTokens: task.max_tokens } : {}),
  };
}

/**
 * Runs tasks × models × runs through the lab (a task set named for the MCP
 * tool, reused when the same tasks come again), so the run is saved, shows
 * on the Lab page and feeds the router's outcomes like any other.
 */
async function benchmark(
  core: Core,
  extra: ToolExtra,
  usage: ToolCallUsage,
  setName: string,
  tasks: TaskInput[],
  request: { models: string[]; runs?: number; parallel: number },
) {
  // Every model the run would call, judges included, passes the HTTP API's id check first (never a file path),
  // and a regex from the network must not be able to freeze the server.
  const models: string[] = [];
  for (const model of request.models) models.push(await checkToolModel(core, model, 'models'));
  for (const [index, task] of tasks.entries()) {
    const grader = task.grader;
    if (typeof grader !== 'object') continue;
    if (grader.type === 'judge' && grader.judgeModelId !== undefined) await checkToolModel(core, grader.judgeModelId, `task ${index + 1}: grader.judgeModelId`);
    if (grader.type === 'regex') {
      const problem = regexProblem(grader.pattern);
      if (problem) throw new CodedError('INVALID_INPUT', `task ${index + 1}: grader.pattern is refused: ${problem}`);
    }
  }
  const jsonl = tasks.map((t) => JSON.stringify(taskLine(t))).join('\n');
  const { set, skipped } = await core.lab.importOrReuseSet(setName, jsonl);
  if (skipped.length > 0) {
    throw new CodedError('INVALID_INPUT', skipped.map((s) => `task ${s.line}: ${s.message}`).join('; '));
  }
  const started = await core.lab.startRun({ setId: set.id, modelIds: models, runs: request.runs, parallel: request.parallel });
  const token = extra._meta?.progressToken;
  const results: LabTaskResult[] = [];
  const summary = await started.run((part) => {
    if (part.type !== 'result') return;
    results.push(part.result);
    if (token !== undefined) {
      const r = part.result;
      void extra
        .sendNotification({
          method: 'notifications/progress',
          params: {
            progressToken: token,
            progress: results.length,
            total: started.info.total,
            message: `${r.modelId} · ${r.taskId}: ${r.score !== null ? `score ${r.score.toFixed(2)}` : `error ${r.error?.code ?? ''}`}`,
          },
        })
        .catch(() => undefined);
    }
  }, extra.signal);
  for (const r of results) {
    usage.inputTokens += r.inputTokens;
    usage.outputTokens += r.outputTokens;
    usage.costUsd += r.costUsd ?? 0;
  }
  return {
    runId: summary.id,
    status: summary.status,
    taskSet: { id: set.id, name: set.name, tasks: set.taskCount },
    models: summary.models.map((m) => ({
      model: m.modelId,
      kind: m.kind,
      quality: m.quality,
      ttftMs: m.ttftMs,
      tokensPerSecond: m.tokensPerSecond,
      costUsd: m.costUsd,
      calls: m.calls,
      errors: m.errors,
      totalMs: m.totalMs,
    })),
    results: results.map((r) => ({
      model: r.modelId,
      task: r.taskId,
      run: r.run,
      score: r.score,
      answer: r.answer.length > 2000 ? `${r.answer.slice(0, 2000)}…` : r.answer,
      ttftMs: r.ttftMs,
      tokensPerSecond: r.tokensPerSecond,
      costUsd: r.costUsd,
      error: r.error,
      ...(r.note ? { note: r.note } : {}),
    })),
  };
}

export function registerBenchmarkTools(server: McpServer, core: Core, run: ToolRunner): void {
  server.registerTool(
    'benchmark_task',
    {
      title: 'Benchmark one task',
      description:
        'Runs one task on several models through Tandem’s benchmark lab and answers, per model: quality (0–1 from the grader), time to first token, tokens/s, cost and errors, with each answer. The run is saved in the lab and teaches the router. Progress notifications report each result.',
      inputSchema: { ...TaskShape, models: Models, runs: Runs },
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    (input, extra) =>
      run('benchmark_task', extra, async (usage) =>
        jsonResult(await benchmark(core, extra, usage, 'MCP benchmark_task', [input], { models: input.models, runs: input.runs, parallel: 1 })),
      ),
  );

  server.registerTool(
    'benchmark_tasks',
    {
      title: 'Benchmark several tasks',
      description:
        'Runs a set of tasks on several models through Tandem’s benchmark lab: per model quality, time to first token, tokens/s, cost and errors, and every result. parallel: calls at once (true: 4; local models still run one at a time). The run is saved in the lab and teaches the router.',
      inputSchema: {
        tasks: z.array(TaskArg).min(1).max(200),
        models: Models,
        runs: Runs,
        parallel: z.union([z.boolean(), z.number().int().min(1).max(16)]).optional().describe('Calls at once: a number, or true for 4 (default 1)'),
      },
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    (input, extra) =>
      run('benchmark_tasks', extra, async (usage) => {
        const parallel = input.parallel === true ? 4 : input.parallel === false || input.parallel === undefined ? 1 : input.parallel;
        return jsonResult(await benchmark(core, extra, usage, 'MCP benchmark_tasks', input.tasks, { models: input.models, runs: input.runs, parallel }));
      }),
  );
}
