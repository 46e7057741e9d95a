import { z } from 'zod';

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
});
export type ChatSettings = z.infer<typeof ChatSettingsSchema>;
