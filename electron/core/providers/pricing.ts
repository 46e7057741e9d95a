import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const PriceSchema = z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() });
const PricingFileSchema = z.object({ models: z.record(z.string(), PriceSchema) });
export type Price = z.infer<typeof PriceSchema>;

/**
 * Prices per million tokens from `resources/pricing.json`, with the user's
 * `pricing.json` in the data dir laid over it. A provider's live price (OpenRouter) wins over both.
 */
export class PricingTable {
  private prices = new Map<string, Price>();
  problems: string[] = [];

  constructor(private readonly files: string[]) {}

  async load(): Promise<void> {
    const prices = new Map<string, Price>();
    for (const file of this.files) {
      let raw: string;
      try {
        raw = await readFile(file, 'utf8');
      } catch {
        continue; // the user copy is optional
      }
      try {
        const parsed = PricingFileSchema.safeParse(JSON.parse(raw));
        if (!parsed.success) throw new Error(parsed.error.issues[0]?.message);
        for (const [key, price] of Object.entries(parsed.data.models)) prices.set(key, price);
      } catch (error) {
        this.problems.push(`${file} was ignored: ${(error as Error).message}`);
      }
    }
    this.prices = prices;
  }

  /** Looks the model up under the provider's own name first, then its preset. */
  price(provider: string, preset: string, model: string): Price | null {
    return this.prices.get(`${provider}/${model}`) ?? this.prices.get(`${preset}/${model}`) ?? null;
  }

  set(key: string, price: Price): void {
    this.prices.set(key, price);
  }
}

/** Dollars for a request, from tokens and a per-million price. */
export function costUsd(price: Price, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
