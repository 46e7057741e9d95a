import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkGgufHeader } from '../../electron/core/models/gguf-header-check';
import { inspectGguf } from '../../electron/core/models/gguf-inspect';
import { encodeGguf, str, tinyLlamaGguf, u32 } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';

const temp = new TempDirs();
let dir: string;
const good = tinyLlamaGguf();

beforeAll(async () => {
  dir = await temp.make('tandem-gguf-');
});
afterAll(() => temp.removeAll());

let n = 0;
async function file(bytes: Uint8Array | string): Promise<{ path: string; size: number }> {
  const path = join(dir, `f${n++}.gguf`);
  await writeFile(path, bytes);
  return { path, size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length };
}

/** A header with the given counts and nothing behind it. */
function header(version: number, tensorCount: bigint, keyCount: bigint, tail: Buffer = Buffer.alloc(64)): Buffer {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(version, 4);
  head.writeBigUInt64LE(tensorCount, 8);
  head.writeBigUInt64LE(keyCount, 16);
  return Buffer.concat([head, tail]);
}

describe('the GGUF header check (before node-llama-cpp reads the file)', () => {
  test('a well-formed file passes', async () => {
    const { path, size } = await file(good);
    expect(await checkGgufHeader(path, size)).toBeNull();
    expect(await inspectGguf(path, size)).toEqual({ architecture: 'llama', problem: null });
  });

  test.each([
    ['text after the magic bytes', Buffer.from('GGUF but not really\n'), /unsupported GGUF version/],
    ['a huge key count', header(3, 0n, 2n ** 60n), /runs past the end/],
    ['a huge tensor count', header(3, 2n ** 62n, 0n), /runs past the end/],
    ['version 1', header(1, 0n, 0n), /unsupported GGUF version 1/],
    ['only the magic bytes', Buffer.from('GGUF'), /runs past the end/],
  ])('%s is named as a problem at once instead of hanging', async (_what, bytes, problem) => {
    const { path, size } = await file(bytes);
    const started = performance.now();
    const inspection = await inspectGguf(path, size);
    expect(inspection.problem).toMatch(problem);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('a string array claiming 2^62 entries is caught', async () => {
    const bytes = encodeGguf({
      metadata: [
        ['general.architecture', str('llama')],
        ['tokenizer.ggml.tokens', { type: 'string[]', value: ['a', 'b'] }],
      ],
      tensors: [],
    });
    // find the array's count (2) right after its item type (8 = string) and make it absurd
    const key = bytes.indexOf('tokenizer.ggml.tokens');
    const countAt = key + 'tokenizer.ggml.tokens'.length + 4 + 4;
    expect(bytes.readBigUInt64LE(countAt)).toBe(2n);
    bytes.writeBigUInt64LE(2n ** 62n, countAt);
    const { path, size } = await file(bytes);
    expect((await inspectGguf(path, size)).problem).toMatch(/runs past the end/);
  });

  test('an unknown value type is caught', async () => {
    const bytes = encodeGguf({ metadata: [['general.architecture', str('llama')], ['x', u32(1)]], tensors: [] });
    const typeAt = bytes.indexOf('x', bytes.indexOf('general.architecture') + 30) + 1;
    bytes.writeUInt32LE(77, typeAt);
    const { path, size } = await file(bytes);
    expect((await inspectGguf(path, size)).problem).toMatch(/unknown metadata value type 77/);
  });

  test('any truncation of a real header is reported, never hangs', async () => {
    const headerEnd = good.indexOf(Buffer.from('blk.0.ffn_down.weight')) + 60;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: headerEnd }), async (cut) => {
        const { path, size } = await file(good.subarray(0, cut));
        const inspection = await inspectGguf(path, size);
        expect(inspection.problem, `cut at ${cut}`).not.toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  test('random damage to the header is inspected without hanging or throwing', async () => {
    const headerEnd = good.indexOf(Buffer.from('blk.0.ffn_down.weight')) + 60;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 4, max: headerEnd }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (edits) => {
          const damaged = Buffer.from(good);
          for (const [at, value] of edits) damaged[at] = value;
          const { path, size } = await file(damaged);
          const inspection = await inspectGguf(path, size);
          expect(inspection.problem === null || typeof inspection.problem === 'string').toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
