import type { PromptMessage } from '../../models/language-model';

/** How many responses `previous_response_id` can name (the oldest are forgotten first). */
export const RESPONSE_STORE_SIZE = 512;

interface StoredResponse {
  /** The key that made it: another key cannot continue it. */
  keyId: string;
  /** The whole conversation up to and including this response's output. */
  messages: PromptMessage[];
  instructions: string | null;
}

/** Responses kept in memory for the server's lifetime, bounded (least recently used goes first). */
export class ResponseStore {
  private readonly entries = new Map<string, StoredResponse>();

  constructor(private readonly capacity = RESPONSE_STORE_SIZE) {}

  get(id: string, keyId: string): StoredResponse | null {
    const entry = this.entries.get(id);
    if (!entry || entry.keyId !== keyId) return null;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  put(id: string, entry: StoredResponse): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
