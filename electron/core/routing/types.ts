import type { Price } from '../providers/pricing';

/** What the model wrappers (budget, queue, circuit, cache, metering) know about the model they wrap. */
export interface ModelCallInfo {
  /** `PROVIDER/MODEL` for cloud models, the local model id otherwise. */
  modelId: string;
  kind: 'local' | 'cloud';
  /** Provider name for cloud models; null for local ones. */
  provider: string | null;
  /** Per million tokens; null when unknown (treated as free for budgets, and said so). */
  price: Price | null;
  /** The chat the request belongs to, when there is one (per-chat token cap, ledger). */
  chatId: string | null;
  /** Auto's decision id, when Auto chose this model. */
  decisionId: string | null;
  /**
   * For local models: the price of the cloud model Auto would otherwise have
   * picked, so the ledger can say what answering locally saved. Null when none.
   */
  referencePrice: Price | null;
  referenceModelId: string | null;
}

/** One request in the spend ledger (`usage/spend.jsonl`): what it cost, or what it saved. */
export interface SpendEntry {
  at: string;
  modelId: string;
  provider: string | null;
  /** cloud: a paid (or free) provider call; local: answered on this machine; cache: replayed from the response cache. */
  kind: 'cloud' | 'local' | 'cache';
  inputTokens: number;
  outputTokens: number;
  /** Dollars actually spent (0 for local and cache). */
  costUsd: number;
  /** Dollars not spent: a local answer priced at the reference cloud model, or a cache hit's original cost. */
  savedUsd: number;
  /** Set when the request failed; cancelled requests are not errors. */
  errorCode: string | null;
  chatId: string | null;
  decisionId: string | null;
}

/** Where spend entries go (the spend ledger); the cache and metering wrappers write through this. */
export interface SpendRecorder {
  record(entry: SpendEntry): void;
}
