import { z } from 'zod';
import { RoutingPrioritySchema } from './routes/routing';

/**
 * What to do when a conversation outgrows the model's context: drop the
 * oldest turns (the system prompt always stays). Every drop is reported as a
 * `context-trimmed` stream part so the user can see it happened.
 */
export const ContextPolicySchema = z.object({
  strategy: z.literal('drop-oldest'),
  /** Tokens kept free for the answer; defaults to a quarter of the context (or maxTokens when smaller). */
  reserveTokens: z.number().int().min(0).max(1_048_576).optional(),
});
export type ContextPolicy = z.infer<typeof ContextPolicySchema>;

const ModelId = z.string().min(1).max(1024);

/**
 * How a chat's answers are made when one model is not the whole story
 * (Chat settings → Strategy). Without one, the chat's model answers alone.
 * Every step streams and is saved with the answer; Stop stops all steps.
 */
export const StrategySchema = z.discriminatedUnion('kind', [
  /** A (local) model drafts; a (cloud) model improves the draft. The answer shows the draft and a diff. */
  z.object({ kind: z.literal('draft-refine'), draftModelId: ModelId, refineModelId: ModelId }),
  /**
   * With collections: a (local) model condenses the retrieved chunks to what
   * answers the question, keeping the [n] markers; the answer model sees only
   * that. Chunks of local-only collections never reach a cloud answer model.
   */
  z.object({ kind: z.literal('condense'), condenseModelId: ModelId, answerModelId: ModelId }),
  /** Each model answers `samples` times; a local judge scores every answer against the rubric; the best is shown. */
  z.object({
    kind: z.literal('best-of-n'),
    modelIds: z.array(ModelId).min(1).max(4),
    samples: z.number().int().min(1).max(4).optional(),
    judgeModelId: ModelId,
    rubric: z.string().max(4000).optional(),
  }),
]);
export type Strategy = z.infer<typeof StrategySchema>;
export type StrategyKind = Strategy['kind'];

/** The models of the chat's last compare, offered again next time. */
export const CompareSetupSchema = z.object({ modelIds: z.array(ModelId).min(2).max(4), blind: z.boolean() });
export type CompareSetup = z.infer<typeof CompareSetupSchema>;

/** Sampling and prompting for one chat; unset fields use the model's and the app's defaults. */
export const ChatSettingsSchema = z.object({
  temperature: z.number().min(0).max(5).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).max(10_000).optional(),
  minP: z.number().min(0).max(1).optional(),
  repeatPenalty: z.number().min(0).max(5).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  stopStrings: z.array(z.string().min(1).max(200)).max(16).optional(),
  systemPrompt: z.string().max(100_000).optional(),
  contextPolicy: ContextPolicySchema.optional(),
  /** Document collections this chat answers from (retrieval with citations). */
  collectionIds: z.array(z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/)).max(16).optional(),
  /** Private chat: nothing of it ever goes to a cloud model (Auto routes locally; a cloud model is refused). */
  private: z.boolean().optional(),
  /** What Auto optimises for in this chat (default: the `routing.defaultPriority` setting). */
  priority: RoutingPrioritySchema.optional(),
  /** A pipeline of models instead of one (draft and refine, condense, best of N with a judge). */
  strategy: StrategySchema.optional(),
  /** The last compare's models and blind mode. */
  compare: CompareSetupSchema.optional(),
  /** MCP servers whose (enabled) tools the model may call in this chat, and the step limit of the tool loop. */
  tools: z
    .object({
      servers: z.array(z.string().min(1).max(64)).max(64),
      maxSteps: z.number().int().min(1).max(50).optional(),
    })
    .optional(),
});
export type ChatSettings = z.infer<typeof ChatSettingsSchema>;
