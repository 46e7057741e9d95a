import { basename } from 'node:path';
import {
  GgmlType,
  GgufFileType,
  GgufInsights,
  JinjaTemplateChatWrapper,
  readGgufFileInfo,
  resolveChatWrapper,
  type GgufFileInfo,
  type Llama,
} from 'node-llama-cpp';
import type { LocalModel } from '../../../shared/ipc/domain';
import type { FitEstimate, ModelDetails } from '../../../shared/ipc/routes/models';

/** Chat formats node-llama-cpp drives with the model's own function-calling syntax. */
const NATIVE_TOOL_WRAPPERS = new Set([
  'Llama3_1ChatWrapper',
  'Llama3_2LightweightChatWrapper',
  'QwenChatWrapper',
  'FunctionaryChatWrapper',
  'MistralChatWrapper',
  'HarmonyChatWrapper',
  'Gemma4ChatWrapper',
  'DeepSeekChatWrapper',
  'SeedChatWrapper',
]);

/** Encoder-only architectures: they embed text and cannot chat. */
const ENCODER_ARCHITECTURES = new Set(['bert', 'nomic-bert', 'nomic-bert-moe', 'jina-bert-v2', 'jina-bert-v3', 'neo-bert', 'modern-bert', 't5encoder']);

/** True for an embedding model (an encoder-only architecture, or one whose header names a pooling type). */
export function isEmbeddingOnly(insights: GgufInsights): boolean {
  const info = insights.ggufFileInfo;
  const architecture = String(info.metadata.general?.architecture ?? '');
  const pooling = (info.architectureMetadata as { pooling_type?: unknown } | undefined)?.pooling_type;
  return ENCODER_ARCHITECTURES.has(architecture) || !insights.hasDecoder || (pooling !== undefined && !architecture.includes('llama'));
}

/** The context size an estimate assumes when none is pinned: what 'auto' loads at most. */
export const AUTO_CONTEXT_CAP = 8192;

export interface FitTarget {
  contextSize?: number | 'auto';
  gpuLayers?: number | 'auto' | 'max';
  /** Estimate an embedding context (defaults to what the model is: embedding-only or chat). */
  embedding?: boolean;
}

/** Header facts and a resource estimate for one GGUF; reads the header only, never the weights. */
export class ModelInspector {
  private readonly cache = new Map<string, { mtimeKey: string; info: GgufFileInfo; insights: GgufInsights }>();

  constructor(private readonly llama: () => Promise<Llama>) {}

  /** Drops what was read with the current backend (its insights hold the Llama), after the backend changed. */
  clear(): void {
    this.cache.clear();
  }

  async insights(model: LocalModel): Promise<GgufInsights> {
    const key = `${model.sizeBytes}`;
    const cached = this.cache.get(model.path);
    if (cached?.mtimeKey === key) return cached.insights;
    const info = await readGgufFileInfo(model.path, { readTensorInfo: true, logWarnings: false });
    const insights = await GgufInsights.from(info, await this.llama());
    this.cache.set(model.path, { mtimeKey: key, info, insights });
    return insights;
  }

  /** The context size 'auto' resolves to for this model (its trained size, capped). */
  async autoContextSize(model: LocalModel): Promise<number> {
    const insights = await this.insights(model);
    return Math.min(insights.trainContextSize ?? AUTO_CONTEXT_CAP, AUTO_CONTEXT_CAP);
  }

  /** RAM + VRAM a model with this context size and GPU layers is estimated to hold. */
  async estimate(model: LocalModel, target: FitTarget = {}): Promise<FitEstimate> {
    const insights = await this.insights(model);
    const contextSize = typeof target.contextSize === 'number' ? target.contextSize : await this.autoContextSize(model);
    const llama = await this.llama();
    const gpuLayersTarget = llama.gpu === false ? 0 : typeof target.gpuLayers === 'number' || target.gpuLayers === 'max' ? target.gpuLayers : undefined;
    const scored = await insights.configurationResolver.resolveAndScoreConfig({
      targetContextSize: contextSize,
      targetGpuLayers: gpuLayersTarget,
      embeddingContext: target.embedding ?? isEmbeddingOnly(insights),
    });
    const values = scored.resolvedValues;
    return {
      contextSize: values.contextSize,
      gpuLayers: values.gpuLayers,
      totalLayers: insights.totalLayers,
      ramBytes: values.totalRamUsage,
      vramBytes: values.totalVramUsage,
      score: scored.compatibilityScore,
      fits: scored.compatibilityScore > 0,
    };
  }

  async details(model: LocalModel, target: FitTarget = {}): Promise<ModelDetails> {
    const insights = await this.insights(model);
    const info = insights.ggufFileInfo;
    const chatTemplate = info.metadata.tokenizer?.chat_template;
    const hasChatTemplate = typeof chatTemplate === 'string' && chatTemplate.length > 0;
    const embeddingOnly = isEmbeddingOnly(insights);
    const wrapper = !embeddingOnly
      ? resolveChatWrapper({ filename: basename(model.path), fileInfo: info, warningLogs: false, bosString: null })
      : null;
    const wrapperName = wrapper?.constructor.name ?? null;
    const toolCalling =
      wrapper instanceof JinjaTemplateChatWrapper
        ? hasChatTemplate && /\btools?\b/.test(chatTemplate)
        : wrapperName !== null && NATIVE_TOOL_WRAPPERS.has(wrapperName);
    return {
      ...model,
      parameterCount: insights.totalParameters,
      quantization: quantizationOf(info, insights),
      trainedContextLength: insights.trainContextSize ?? null,
      layers: insights.totalLayers,
      embeddingLength: insights.embeddingVectorSize ?? null,
      hasChatTemplate,
      chatWrapper: wrapperName,
      toolCalling,
      embeddingOnly,
      fit: await this.estimate(model, target),
    };
  }
}

function quantizationOf(info: GgufFileInfo, insights: GgufInsights): string | null {
  const fileType = info.metadata.general?.file_type;
  if (typeof fileType === 'number' && GgufFileType[fileType]) return GgufFileType[fileType].replace(/^MOSTLY_/, '');
  const dominant = insights.dominantTensorType;
  return dominant === undefined ? null : (GgmlType[dominant] ?? null);
}
