import { z } from 'zod';
import { ChatSettingsSchema } from '../chat-settings';
import { ChatSummarySchema, IdSchema, LoadOptionsSchema, LocalModelSchema } from '../domain';
import { request } from '../route-def';

const ModelRef = z.strictObject({ modelId: z.string().min(1).max(4096) });

export { LoadOptionsSchema, type LoadOptions } from '../domain';

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

export const ModelFolderSchema = z.object({
  path: z.string(),
  /** 'data-dir': the data dir's models folder; 'command-line': --models-dir for this run; 'settings': added by the user. */
  source: z.enum(['data-dir', 'command-line', 'settings']),
});
export type ModelFolder = z.infer<typeof ModelFolderSchema>;

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
  /** The folders scanned for `.gguf` files and where each comes from (only `settings` ones can be removed). */
  'models.folders': request(z.strictObject({}), z.array(ModelFolderSchema)),
  /** Adds a readable folder to settings.modelsDirs, rescans and broadcasts `models.changed`; answers the folders. */
  'models.addFolder': request(z.strictObject({ path: z.string().trim().min(1).max(4096) }), z.array(ModelFolderSchema)),
  /** Removes a folder added in settings (NOT_FOUND otherwise), rescans and broadcasts `models.changed`. */
  'models.removeFolder': request(z.strictObject({ path: z.string().trim().min(1).max(4096) }), z.array(ModelFolderSchema)),
  /** Copies a `.gguf` file into the data dir's models folder (NOT_GGUF when it is not one, CONFLICT when the name is taken). */
  'models.import': request(z.strictObject({ path: z.string().trim().min(1).max(4096) }), LocalModelSchema),
  /** Replaces a chat's sampling settings, system prompt and context policy (used from its next answer on). */
  'chats.updateSettings': request(z.strictObject({ chatId: IdSchema, settings: ChatSettingsSchema.strict() }), ChatSummarySchema),
} as const;

export const modelEvents = {
  /** A model started or finished loading, was unloaded, or failed. */
  'models.status': LoadedModelStatusSchema,
} as const;
