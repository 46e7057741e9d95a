import type { PromptMessage } from '../../models/language-model';

/** How many responses `previous_response_id` can name (the oldest are forgotten first). */
export const RESPONSE_STORE_SIZE = 512;
/** How much text the store holds in all (estimated, UTF-16 code units × 2); past it the oldest go first. */
export const RESPONSE_STORE_BYTES = 64 * 1024 * 1024;

interface StoredResponse {
  /** The key that made it: another key cannot continue it. */
  keyId: string;
  /** The whole conversation up to and including this response's output. */
  messages: PromptMessage[];
  instructions: string | null;
}

/** An estimate of what an entry takes in memory: its strings (two bytes a code unit) and tool calls as JSON. */
export function storedBytes(entry: StoredResponse): number {
  let units = (entry.instructions?.length ?? 0) + entry.keyId.length;
  for (const m of entry.messages) {
    units += 32;
    if (m.role === 'tool') units += (typeof m.result === 'string' ? m.result : (JSON.stringify(m.result) ?? '')).length + m.toolCallId.length + m.toolName.length;
    else units += m.text.length;
    if (m.role === 'assistant' && m.toolCalls) units += JSON.stringify(m.toolCalls).length;
  }
  return units * 2;
}

/** Responses kept in memory for the server's lifetime, bounded by count and bytes (least recently used goes first). */
export class ResponseStore {
  private readonly entries = new Map<string, StoredResponse & { bytes: number }>();
  private total = 0;

  constructor(
    private readonly capacity = RESPONSE_STORE_SIZE,
    private readonly maxBytes = RESPONSE_STORE_BYTES,
  ) {}

  get(id: string, keyId: string): StoredResponse | null {
    const entry = this.entries.get(id);
    if (!entry || entry.keyId !== keyId) return null;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Keeps a response; one larger than the whole store is not kept (a later previous_response_id to it is 404). */
  put(id: string, entry: StoredResponse): void {
    this.remove(id);
    const bytes = storedBytes(entry);
    if (bytes > this.maxBytes) return;
    this.entries.set(id, { ...entry, bytes });
    this.total += bytes;
    while (this.entries.size > this.capacity || this.total > this.maxBytes) this.remove(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The estimated bytes held. */
  get bytes(): number {
    return this.total;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.total -= entry.bytes;
  }
}
