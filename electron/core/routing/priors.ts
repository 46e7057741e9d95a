import type { Price } from '../providers/pricing';

/**
 * Quality Auto assumes for a model before any outcome mentions it. Outcomes
 * replace it gradually (a model's record starts as 5 pseudo-outcomes at its
 * prior). Documented in docs/routing.md:
 *
 * Local models, by parameter count (a proxy for ability):
 *   < 0.5 B 0.15 · < 2 B 0.35 · < 5 B 0.50 · < 10 B 0.60 · < 20 B 0.66 · < 40 B 0.72 · larger 0.78
 * Cloud models, by output price per million tokens (providers price by ability):
 *   ≥ $10 0.85 · ≥ $2 0.78 · ≥ $0.5 0.70 · cheaper 0.62 · unknown price 0.65 · free 0.55
 */
export function localPrior(parameterCount: number | null, sizeBytes: number): number {
  // Without a parameter count, a 4-bit quantized file holds about two parameters per byte.
  const billions = (parameterCount ?? sizeBytes * 2) / 1e9;
  if (billions < 0.5) return 0.15;
  if (billions < 2) return 0.35;
  if (billions < 5) return 0.5;
  if (billions < 10) return 0.6;
  if (billions < 20) return 0.66;
  if (billions < 40) return 0.72;
  return 0.78;
}

export function cloudPrior(price: Price | null, free: boolean): number {
  if (free) return 0.55;
  if (!price) return 0.65;
  if (price.output >= 10) return 0.85;
  if (price.output >= 2) return 0.78;
  if (price.output >= 0.5) return 0.7;
  return 0.62;
}

/**
 * Speed before any request was measured. Cloud: 600 ms to the first token,
 * 60 tokens/s. Local on CPU or GPU: generation is bound by memory bandwidth,
 * about 30 GB/s read over the weights per token on a laptop (capped 2–200
 * tokens/s); the first token waits for the prompt at about 150 tokens/s, plus
 * loading (1.5 s per GB) when the model is not in memory.
 */
export function localSpeedPrior(sizeBytes: number, promptTokens: number, loaded: boolean): { ttftMs: number; tokensPerSec: number } {
  const tokensPerSec = Math.min(200, Math.max(2, 30e9 / Math.max(1, sizeBytes)));
  const ttftMs = 100 + (promptTokens / 150) * 1000 + (loaded ? 0 : (sizeBytes / 1e9) * 1500);
  return { ttftMs, tokensPerSec };
}

export const CLOUD_SPEED_PRIOR = { ttftMs: 600, tokensPerSec: 60 };
