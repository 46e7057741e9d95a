import { open, type FileHandle } from 'node:fs/promises';

/** Real headers (metadata + tokenizer + tensor infos) are a few MB to a few tens of MB. */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** Byte sizes of the fixed-size GGUF value types. */
const FIXED_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

class HeaderProblem extends Error {}

/**
 * Walks a GGUF header (key/values, then tensor infos) checking every length
 * against the file size, and answers what is wrong, or null. It runs before
 * node-llama-cpp's header reader, which treats bytes past the end of the file
 * as zeros: a damaged count there loops and allocates without end, which
 * would hang the whole backend on one bad file in a models folder.
 */
export async function checkGgufHeader(path: string, size: number): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const reader = new BoundedReader(handle, Math.min(size, MAX_HEADER_BYTES), size > MAX_HEADER_BYTES);
    if ((await reader.bytes(4)).toString('latin1') !== 'GGUF') return 'not a GGUF file (wrong magic bytes)';
    const version = (await reader.bytes(4)).readUInt32LE(0);
    if (version !== 2 && version !== 3) return `unsupported GGUF version ${version} (damaged header?)`;
    const tensorCount = await reader.u64();
    const keyCount = await reader.u64();
    for (let i = 0n; i < keyCount; i++) {
      await reader.skipString();
      await skipValue(reader, (await reader.bytes(4)).readUInt32LE(0), 0);
    }
    for (let i = 0n; i < tensorCount; i++) {
      await reader.skipString();
      const dims = (await reader.bytes(4)).readUInt32LE(0);
      if (dims > 8) throw new HeaderProblem(`a tensor claims ${dims} dimensions (damaged header?)`);
      await reader.skip(BigInt(8 * dims + 4 + 8));
    }
    return null;
  } catch (error) {
    if (error instanceof HeaderProblem) return error.message;
    throw error;
  } finally {
    await handle.close();
  }
}

async function skipValue(reader: BoundedReader, type: number, depth: number): Promise<void> {
  const fixed = FIXED_SIZES[type];
  if (fixed !== undefined) return reader.skip(BigInt(fixed));
  if (type === STRING) return reader.skipString();
  if (type !== ARRAY || depth > 2) throw new HeaderProblem(`unknown metadata value type ${type} (damaged header?)`);
  const itemType = (await reader.bytes(4)).readUInt32LE(0);
  const count = await reader.u64();
  const itemSize = FIXED_SIZES[itemType];
  if (itemSize !== undefined) return reader.skip(count * BigInt(itemSize));
  for (let i = 0n; i < count; i++) await skipValue(reader, itemType, depth + 1);
}

/** Sequential reads from a file that never go past `limit`. */
class BoundedReader {
  private position = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly limit: number,
    private readonly limitIsCap: boolean,
  ) {}

  async bytes(count: number): Promise<Buffer> {
    this.check(BigInt(count));
    const end = this.position + count;
    if (this.position < this.windowStart || end > this.windowStart + this.window.length) {
      const length = Math.min(Math.max(count, CHUNK_BYTES), this.limit - this.position);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = this.position;
      if (bytesRead < count) throw new HeaderProblem('the header runs past the end of the file (truncated?)');
    }
    const offset = this.position - this.windowStart;
    this.position = end;
    return this.window.subarray(offset, offset + count);
  }

  async u64(): Promise<bigint> {
    return (await this.bytes(8)).readBigUInt64LE(0);
  }

  async skip(count: bigint): Promise<void> {
    this.check(count);
    this.position += Number(count);
  }

  async skipString(): Promise<void> {
    await this.skip(await this.u64());
  }

  private check(count: bigint): void {
    if (BigInt(this.position) + count <= BigInt(this.limit)) return;
    throw new HeaderProblem(
      this.limitIsCap ? 'the header claims to be larger than 256 MB (damaged header?)' : 'the header runs past the end of the file (truncated?)',
    );
  }
}
