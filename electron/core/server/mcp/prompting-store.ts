import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../../../shared/ipc/errors';
import { writeFileAtomic } from '../../fs/atomic-write';
import type { PromptMessage } from '../../models/language-model';

/** Where `{{task}}` goes in a user template. */
export const TASK_PLACEHOLDER = '{{task}}';

/** How `generate` prompts one model: set with `set_model_prompting_strategy`. */
export const PromptingStrategySchema = z.object({
  systemPrompt: z.string().max(100_000).optional(),
  /** Wraps the last user message: `{{task}}` is replaced by it. */
  userTemplate: z.string().max(100_000).optional(),
  /** The answer starts with this text (the model is told so; the text returned always begins with it). */
  assistantPrefix: z.string().max(10_000).optional(),
  updatedAt: z.string(),
});
export type PromptingStrategy = z.infer<typeof PromptingStrategySchema>;

const FileSchema = z.object({ version: z.literal(1), models: z.record(z.string(), PromptingStrategySchema) });
type PromptingFile = z.infer<typeof FileSchema>;

/**
 * Prompting strategies per model id in `<dataDir>/mcp-server/prompting.json`.
 * Read from disk on every use (a desktop app and a `tandem mcp-server` may
 * share the data dir); written atomically, one write at a time.
 */
export class PromptingStore {
  private readonly path: string;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'mcp-server', 'prompting.json');
  }

  async get(modelId: string): Promise<PromptingStrategy | null> {
    return (await this.read()).models[modelId] ?? null;
  }

  async all(): Promise<Record<string, PromptingStrategy>> {
    return (await this.read()).models;
  }

  /** Sets the model's strategy; null removes it. Answers what is stored now. */
  set(modelId: string, strategy: Omit<PromptingStrategy, 'updatedAt'> | null): Promise<PromptingStrategy | null> {
    const next = this.writing.then(async () => {
      const file = await this.read();
      const stored = strategy ? { ...strategy, updatedAt: new Date().toISOString() } : null;
      if (stored) file.models[modelId] = stored;
      else delete file.models[modelId];
      try {
        await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
      } catch (error) {
        throw new CodedError('STORAGE_FAILED', `The prompting strategy could not be saved: ${(error as Error).message}`);
      }
      return stored;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<PromptingFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, models: {} };
      throw new CodedError('STORAGE_FAILED', `Cannot read ${this.path}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const parsed = FileSchema.safeParse(json);
    // A damaged file is not fatal: generate goes on without strategies, and the next set rewrites it.
    return parsed.success ? parsed.data : { version: 1, models: {} };
  }
}

/** The request's messages and system prompt with the strategy applied. */
export function applyStrategy(
  messages: PromptMessage[],
  systemPrompt: string | undefined,
  strategy: PromptingStrategy | null,
): { messages: PromptMessage[]; systemPrompt: string | undefined } {
  if (!strategy) return { messages, systemPrompt };
  let system = systemPrompt;
  if (strategy.systemPrompt) system = system ? `${strategy.systemPrompt}\n\n${system}` : strategy.systemPrompt;
  if (strategy.assistantPrefix) {
    const instruction = `Begin your reply with exactly: ${strategy.assistantPrefix}`;
    system = system ? `${system}\n\n${instruction}` : instruction;
  }
  let out = messages;
  if (strategy.userTemplate) {
    const template = strategy.userTemplate;
    const last = messages.map((m) => m.role).lastIndexOf('user');
    if (last >= 0) {
      out = messages.map((m, i) => (i === last && m.role === 'user' ? { role: 'user', text: template.split(TASK_PLACEHOLDER).join(m.text) } : m));
    }
  }
  return { messages: out, systemPrompt: system };
}

/** The answer as returned: it begins with the strategy's assistant prefix. */
export function withPrefix(text: string, strategy: PromptingStrategy | null): string {
  const prefix = strategy?.assistantPrefix;
  if (!prefix || text.trimStart().startsWith(prefix)) return text;
  return `${prefix}${text}`;
}
