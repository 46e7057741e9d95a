import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CodedError } from '../../../../shared/ipc/errors';
import type { Core } from '../../app/create-core';
import { buildModelContexts } from '../model-context';
import { cloudModels, localModels } from './model-catalog';
import { TASK_PLACEHOLDER, type PromptingStore } from './prompting-store';
import { jsonResult } from './tool-result';
import type { ToolRunner } from './tool-runner';

export function registerModelTools(server: McpServer, core: Core, run: ToolRunner, prompting: PromptingStore): void {
  server.registerTool(
    'list_models',
    {
      title: 'List models',
      description:
        'Every model Tandem can use, each with its model context: identification (id, provider, family, parameters, quantization), capabilities (context window, tools, JSON schema, embeddings), default inference settings, tokenizer, and runtime properties (loaded, device, threads, measured time to first token and tokens/s, price per million tokens, health). Includes auto, the router.',
      inputSchema: {
        kind: z.enum(['local', 'cloud', 'router']).optional().describe('Only models of this kind'),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    (input, extra) =>
      run('list_models', extra, async () => {
        const contexts = await buildModelContexts(core);
        return jsonResult({ models: input.kind ? contexts.filter((c) => c.kind === input.kind) : contexts });
      }),
  );

  server.registerTool(
    'get_free_models',
    {
      title: 'Free models',
      description:
        'Models that cost nothing: every local model, and the cloud models priced 0 (OpenRouter’s live pricing, or a :free suffix) of the configured providers. A provider whose list cannot be read is named under problems.',
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    (extra) =>
      run('get_free_models', extra, async () => {
        const local = await localModels(core);
        const { models, problems } = await cloudModels(core, true);
        return jsonResult({
          local: local.map((m) => ({ id: m.id, architecture: m.architecture, sizeBytes: m.sizeBytes })),
          cloud: models.map((m) => ({ id: m.id, provider: m.provider, contextWindow: m.contextWindow, tools: m.capabilities.tools })),
          ...(problems.length > 0 ? { problems } : {}),
        });
      }),
  );

  server.registerTool(
    'set_model_prompting_strategy',
    {
      title: 'Set a model’s prompting strategy',
      description: `How generate prompts a model from now on (stored in Tandem's data folder): system_prompt goes before the conversation, user_template wraps the last user message (${TASK_PLACEHOLDER} is replaced by it), and the answer begins with assistant_prefix. Give none of them to remove the model's strategy. For auto, the strategy applies to requests that name auto.`,
      inputSchema: {
        model: z.string().min(1).max(1024).describe('A model id (list_models), or auto'),
        system_prompt: z.string().max(100_000).optional(),
        user_template: z
          .string()
          .max(100_000)
          .refine((t) => t.includes(TASK_PLACEHOLDER), `user_template must contain ${TASK_PLACEHOLDER}`)
          .optional(),
        assistant_prefix: z.string().min(1).max(10_000).optional(),
      },
      annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
    },
    (input, extra) =>
      run('set_model_prompting_strategy', extra, async () => {
        const known = input.model === 'auto' || core.providers.owns(input.model) || (await core.library.list()).some((m) => m.id === input.model);
        if (!known) throw new CodedError('MODEL_NOT_FOUND', `There is no model "${input.model}" (list_models gives the ids)`);
        const none = input.system_prompt === undefined && input.user_template === undefined && input.assistant_prefix === undefined;
        const stored = await prompting.set(
          input.model,
          none ? null : { systemPrompt: input.system_prompt, userTemplate: input.user_template, assistantPrefix: input.assistant_prefix },
        );
        return jsonResult({ model: input.model, strategy: stored, removed: stored === null });
      }),
  );
}
