import { z } from 'zod';
import { CondensedSchema, ContextTrimmedSchema, FinishReasonSchema, StepRecordSchema, ToolCallRecordSchema, UsageSchema } from './stream-parts';
import { CompareMessageInfoSchema } from './routes/compare';
import { CitationSchema, SearchModeSchema } from './routes/documents';
import { ErrorCodeSchema } from './errors';
import { ChatSettingsSchema } from './chat-settings';
import { FallbackSchema, RouteDecisionSchema, RoutingSettingsSchema } from './routes/routing';

import { IdSchema, TitleSchema } from './ids';
import { ApiSettingsSchema } from './routes/api';
import { RuntimeVariantSchema } from './routes/runtime';

export { IdSchema, TitleSchema };

export const ThemeSchema = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof ThemeSchema>;

export const ThreadCountSchema = z.union([z.literal('auto'), z.number().int().min(1).max(256)]);

/** 'auto' lets Tandem pick from the hardware and the file; a number pins it. */
export const LoadOptionsSchema = z.strictObject({
  /** Layers offloaded to the GPU; 'max' offloads all, 0 keeps the model on the CPU. */
  gpuLayers: z.union([z.literal('auto'), z.literal('max'), z.number().int().min(0).max(1024)]).optional(),
  contextSize: z.union([z.literal('auto'), z.number().int().min(64).max(1_048_576)]).optional(),
  /** Generation threads (prompt processing uses every core). */
  threads: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).optional(),
  batchSize: z.union([z.literal('auto'), z.number().int().min(1).max(65_536)]).optional(),
});
export type LoadOptions = z.infer<typeof LoadOptionsSchema>;

/** Versioned user settings, stored as `settings.json` in the data dir. */
export const SettingsSchema = z.object({
  version: z.literal(1),
  theme: ThemeSchema,
  /** Model used for new chats; null means "first model found". */
  defaultModelId: z.string().max(1024).nullable(),
  /** Extra folders scanned for `.gguf` files (the CLI's --models-dir adds to these for one run). */
  modelsDirs: z.array(z.string().trim().min(1).max(4096)).max(64),
  /** Threads for token generation and for prompt processing; 'auto' picks from the real core count. */
  threads: z.object({ generation: ThreadCountSchema, batch: ThreadCountSchema }),
  /** Upper bound on tokens generated per answer. */
  maxTokens: z.number().int().min(1).max(1_000_000),
  /** Context size in tokens for local models; 'auto' lets the runtime choose up to the trained size. */
  contextSize: z.union([z.literal('auto'), z.number().int().min(64).max(1_048_576)]),
  /** Bytes loaded local models may hold together (least recently used unloaded first); 'auto' is 80% of free RAM + VRAM. */
  modelMemoryBudget: z.union([z.literal('auto'), z.number().int().min(1)]),
  /** Load options remembered per local model id (from its last load with options); used when a chat loads it. */
  modelLoadOptions: z.record(z.string().min(1).max(4096), LoadOptionsSchema),
  documents: z.object({
    /** Local GGUF used to embed chunks; null picks the first embedding model found (none: keyword search only). */
    embeddingModelId: z.string().max(1024).nullable(),
    /** LanceDB URI; null is `lancedb/` in the data dir. s3://, gs:// and az:// work unchanged. */
    databaseUri: z.string().max(4096).nullable(),
    /** Files bigger than this are reported as too large and skipped. */
    maxFileBytes: z.number().int().min(1024).max(10 * 1024 ** 3),
    /** Extra ignore patterns (gitignore syntax) on top of each folder's .gitignore. */
    ignore: z.array(z.string().min(1).max(1024)).max(512),
    searchMode: SearchModeSchema,
    /** Chunks put into a chat's prompt per question. */
    retrievalTopK: z.number().int().min(1).max(50),
    /**
     * OCR for images and scanned PDF pages (tesseract.js, in worker threads). Each language
     * ("eng", "deu"...) needs its `@tesseract.js-data/<code>` package installed; nothing is downloaded.
     * Absent in settings files written before OCR existed: on, English.
     */
    ocr: z
      .object({
        enabled: z.boolean(),
        languages: z.array(z.string().regex(/^[a-z_]{3,12}$/)).min(1).max(8),
      })
      .default({ enabled: true, languages: ['eng'] }),
  }),
  mcp: z.object({
    /** Folders offered to MCP servers as roots. */
    roots: z.array(z.string().min(1).max(4096)).max(64),
    /** Model that answers servers' sampling requests; null: the first local model. */
    samplingModelId: z.string().max(1024).nullable(),
    /** Tool results longer than this are truncated for the model (kept whole for the user). */
    maxToolResultChars: z.number().int().min(1000).max(10_000_000),
  }),
  /** Auto (the model router): priority, pinned rules, budgets, provider limits, circuit breaker, response cache. */
  routing: RoutingSettingsSchema,
  /** Tandem's own API server (OpenAI- and Anthropic-compatible, and MCP at /mcp). */
  api: ApiSettingsSchema,
  /** The llama.cpp runtime local models load with (see routes/runtime.ts). */
  runtime: z.object({ variant: RuntimeVariantSchema }),
  /** Desktop app updates (electron-updater, generic provider). */
  updates: z.object({
    /** The https:// folder that holds latest.yml / latest-mac.yml / latest-linux.yml and the installers; null: no update checks. */
    feedUrl: z
      .string()
      .max(2048)
      .regex(/^https:\/\/[^\s]+$/, 'The update feed must be an https:// URL')
      .nullable(),
  }),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsPatchSchema = SettingsSchema.omit({ version: true }).partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const LocalModelSchema = z.object({
  /** The file name without `.gguf`; `name-<hash>` when two folders hold the same name. */
  id: z.string(),
  /** File name without `.gguf`. */
  name: z.string(),
  path: z.string(),
  sizeBytes: z.number().nonnegative(),
  /** From the GGUF header, when it could be read. */
  architecture: z.string().nullable(),
  /** Why the file cannot be used, when the header check failed. */
  problem: z.string().nullable(),
});
export type LocalModel = z.infer<typeof LocalModelSchema>;

export const MessageRoleSchema = z.enum(['user', 'assistant', 'system']);
export type MessageRole = z.infer<typeof MessageRoleSchema>;

export const MessageStatusSchema = z.enum(['complete', 'streaming', 'interrupted', 'cancelled', 'error']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

export const ChatMessageSchema = z.object({
  id: z.string(),
  role: MessageRoleSchema,
  text: z.string(),
  createdAt: z.string(),
  status: MessageStatusSchema,
  modelId: z.string().nullable(),
  finishReason: FinishReasonSchema.nullable(),
  usage: UsageSchema.nullable(),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
  /** The oldest messages were left out of this answer's prompt to fit the context (a `context-trimmed` part). */
  contextTrimmed: ContextTrimmedSchema.optional(),
  /** Document chunks the answer was grounded in; the text cites them as [n]. */
  citations: z.array(CitationSchema).optional(),
  /** Tools the answer called through MCP, in order, with their outcomes. */
  toolCalls: z.array(ToolCallRecordSchema).optional(),
  /** Auto's decision for this answer (the `route` part). */
  route: RouteDecisionSchema.optional(),
  /** Models that failed before this answer's model took over, in order. */
  fallbacks: z.array(FallbackSchema).optional(),
  /** The answer was replayed from the response cache. */
  cached: z.boolean().optional(),
  /** The user's "Good answer" / "Bad answer". */
  vote: z.enum(['good', 'bad']).optional(),
  /** This answer is one column of a compare (all columns follow the same user message). */
  compare: CompareMessageInfoSchema.optional(),
  /** A strategy's steps (draft, refine, condense, candidates, judge), in order. */
  steps: z.array(StepRecordSchema).optional(),
  /** The condense strategy's tokens retrieved vs sent. */
  condensed: CondensedSchema.optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ChatSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  modelId: z.string().nullable(),
  messageCount: z.number().int().nonnegative(),
  /** Sampling, system prompt and context policy for this chat (`chats.updateSettings`). */
  settings: ChatSettingsSchema.optional(),
});
export type ChatSummary = z.infer<typeof ChatSummarySchema>;

export const ChatSchema = ChatSummarySchema.extend({ messages: z.array(ChatMessageSchema) });
export type Chat = z.infer<typeof ChatSchema>;


export const AppInfoSchema = z.object({
  name: z.literal('Tandem'),
  version: z.string(),
  mode: z.enum(['desktop', 'serve', 'cli']),
  platform: z.string(),
  dataDir: z.string(),
  cpuCount: z.number().int(),
  threads: z.object({ generation: z.number().int(), batch: z.number().int() }),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;
