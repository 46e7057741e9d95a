import { z } from 'zod';
import { ChatSettingsSchema } from '../chat-settings';
import { ChatSummarySchema, IdSchema, LocalModelSchema } from '../domain';
import { request } from '../route-def';

const ModelRef = z.strictObject({ modelId: z.string().min(1).max(4096) });

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

/** What loading a model with some options is estimated to need, and whether this machine has it. */
export const FitEstimateSchema = z.object({
  contextSize: z.number().int(),
  gpuLayers: z.number().int(),
  totalLayers: z.number().int(),
  ramBytes: z.number().nonnegative(),
  vramBytes: z.number().nonnegative(),
  /** node-llama-cpp's compatibility score, 0 (does not fit) to 1 (fits fully, on the GPU when there is one). */
  score: z.number(),
  fits: z.boolean(),
});
export type FitEstimate = z.infer<typeof FitEstimateSchema>;

/** Everything worth knowing about a GGUF before loading it. */
export const ModelDetailsSchema = LocalModelSchema.extend({
  parameterCount: z.number().int().nonnegative(),
  /** The file type from the header (e.g. "Q4_K_M") or else the dominant tensor type (e.g. "F32"). */
  quantization: z.string().nullable(),
  trainedContextLength: z.number().int().nullable(),
  layers: z.number().int(),
  embeddingLength: z.number().int().nullable(),
  hasChatTemplate: z.boolean(),
  /** The chat format node-llama-cpp would use (e.g. "Llama3_1ChatWrapper"). */
  chatWrapper: z.string().nullable(),
  /** The chat format has native function calling (any model can still be prompted into it). */
  toolCalling: z.boolean(),
  /** An encoder-only model (e.g. BERT): embeddings, not chat. */
  embeddingOnly: z.boolean(),
  fit: FitEstimateSchema,
});
export type ModelDetails = z.infer<typeof ModelDetailsSchema>;

export const HardwareInfoSchema = z.object({
  /** 'metal', 'cuda', 'vulkan' or 'cpu'. */
  backend: z.string(),
  devices: z.array(z.string()),
  vram: z.object({ totalBytes: z.number().nonnegative(), freeBytes: z.number().nonnegative() }),
  ram: z.object({ totalBytes: z.number().nonnegative(), freeBytes: z.number().nonnegative() }),
  cpuCores: z.number().int(),
  /** Threads the runtime uses for a large model under the current settings (tiny models generate with one). */
  threads: z.object({ generation: z.number().int(), batch: z.number().int() }),
  /** The memory budget loaded models share, in bytes. */
  memoryBudgetBytes: z.number().nonnegative(),
});
export type HardwareInfo = z.infer<typeof HardwareInfoSchema>;

export const ModelLoadStateSchema = z.enum(['loading', 'loaded', 'unloaded', 'error']);

export const LoadedModelStatusSchema = z.object({
  modelId: z.string(),
  path: z.string(),
  state: ModelLoadStateSchema,
  /** Loaded to chat with, or to make embeddings. */
  kind: z.enum(['chat', 'embedding']),
  /** Estimated RAM + VRAM this model holds while loaded. */
  memoryBytes: z.number().nonnegative(),
  contextSize: z.number().int().nullable(),
  gpuLayers: z.number().int().nullable(),
  threads: z.number().int().nullable(),
  lastUsedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type LoadedModelStatus = z.infer<typeof LoadedModelStatusSchema>;

export const modelRoutes = {
  /** Header details and a fit estimate for one model (by id, file name or path); `options` shapes the estimate. */
  'models.inspect': request(
    z.strictObject({ modelId: z.string().min(1).max(4096), options: LoadOptionsSchema.optional() }),
    ModelDetailsSchema,
  ),
  /** Backend, devices, memory and threads. */
  'hardware.info': request(z.strictObject({}), HardwareInfoSchema),
  /** Models loaded (or loading) now, most recently used first. */
  'models.loaded': request(z.strictObject({}), z.array(LoadedModelStatusSchema)),
  /**
   * Loads a model, unloading the least recently used ones when it needs room
   * in the memory budget. Answers once it is loaded; `models.cancelLoad` stops it.
   */
  'models.load': request(z.strictObject({ modelId: z.string().min(1).max(4096), options: LoadOptionsSchema.optional() }), LoadedModelStatusSchema),
  'models.unload': request(ModelRef, z.object({ unloaded: z.boolean() })),
  /** Stops a load in progress; `cancelled` is false when none was running. */
  'models.cancelLoad': request(ModelRef, z.object({ cancelled: z.boolean() })),
  /** Replaces a chat's sampling settings, system prompt and context policy (used from its next answer on). */
  'chats.updateSettings': request(z.strictObject({ chatId: IdSchema, settings: ChatSettingsSchema.strict() }), ChatSummarySchema),
} as const;

export const modelEvents = {
  /** A model started or finished loading, was unloaded, or failed. */
  'models.status': LoadedModelStatusSchema,
} as const;
