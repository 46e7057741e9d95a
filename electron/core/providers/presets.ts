import type { PresetId, ProviderPreset } from '../../../shared/ipc/routes/providers';

/** A model a preset knows about, for providers that cannot list theirs (or to fill in what a list lacks). */
export interface KnownModel {
  model: string;
  contextWindow: number | null;
  tools: boolean;
  vision: boolean;
  json: boolean;
}

export interface Preset extends ProviderPreset {
  knownModels: KnownModel[];
}

const m = (model: string, contextWindow: number | null, tools = true, vision = false, json = true): KnownModel => ({
  model,
  contextWindow,
  tools,
  vision,
  json,
});

/**
 * Every provider is reached through its OpenAI-compatible endpoint with the
 * official `openai` SDK; a preset is just where that endpoint is and where its key lives.
 */
export const PRESETS: Record<PresetId, Preset> = {
  openai: preset('openai', 'OpenAI', 'https://api.openai.com/v1', 'OPENAI_API_KEY', true, true, [
    m('gpt-4o', 128_000, true, true),
    m('gpt-4o-mini', 128_000, true, true),
    m('gpt-4.1', 1_047_576, true, true),
    m('gpt-4.1-mini', 1_047_576, true, true),
    m('o3-mini', 200_000),
  ]),
  anthropic: preset('anthropic', 'Anthropic', 'https://api.anthropic.com/v1', 'ANTHROPIC_API_KEY', true, true, [
    m('claude-sonnet-4-5', 200_000, true, true),
    m('claude-haiku-4-5', 200_000, true, true),
    m('claude-opus-4-1', 200_000, true, true),
  ]),
  gemini: preset('gemini', 'Google Gemini', 'https://generativelanguage.googleapis.com/v1beta/openai', 'GOOGLE_API_KEY', true, true, [
    m('gemini-2.5-pro', 1_048_576, true, true),
    m('gemini-2.5-flash', 1_048_576, true, true),
  ]),
  xai: preset('xai', 'xAI (Grok)', 'https://api.x.ai/v1', 'XAI_API_KEY', true, true, [m('grok-4', 256_000, true, true), m('grok-3-mini', 131_072)]),
  qwen: preset('qwen', 'Alibaba Qwen (DashScope)', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', 'DASHSCOPE_API_KEY', true, false, [
    m('qwen-max', 32_768),
    m('qwen-plus', 131_072),
    m('qwen-turbo', 1_000_000),
  ]),
  openrouter: preset('openrouter', 'OpenRouter', 'https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY', true, true, []),
  groq: preset('groq', 'Groq', 'https://api.groq.com/openai/v1', 'GROQ_API_KEY', true, true, [m('llama-3.3-70b-versatile', 131_072)]),
  deepseek: preset('deepseek', 'DeepSeek', 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY', true, true, [
    m('deepseek-chat', 65_536),
    m('deepseek-reasoner', 65_536, false),
  ]),
  mistral: preset('mistral', 'Mistral', 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY', true, true, [m('mistral-large-latest', 131_072)]),
  together: preset('together', 'Together', 'https://api.together.xyz/v1', 'TOGETHER_API_KEY', true, true, []),
  ollama: preset('ollama', 'Ollama', 'http://127.0.0.1:11434/v1', null, false, true, []),
  lmstudio: preset('lmstudio', 'LM Studio', 'http://127.0.0.1:1234/v1', null, false, true, []),
  vllm: preset('vllm', 'vLLM', 'http://127.0.0.1:8000/v1', null, false, true, []),
  llamacpp: preset('llamacpp', 'llama.cpp server', 'http://127.0.0.1:8080/v1', null, false, true, []),
  custom: preset('custom', 'Custom OpenAI-compatible', 'http://127.0.0.1:8000/v1', null, false, true, []),
};

function preset(
  id: PresetId,
  label: string,
  baseUrl: string,
  apiKeyEnv: string | null,
  keyRequired: boolean,
  listsModels: boolean,
  knownModels: KnownModel[],
): Preset {
  return { id, label, baseUrl, apiKeyEnv, keyRequired, listsModels, knownModels };
}

/** The presets as the contract shows them (without the model table). */
export function presetList(): ProviderPreset[] {
  return Object.values(PRESETS).map(({ knownModels: _known, ...rest }) => rest);
}
