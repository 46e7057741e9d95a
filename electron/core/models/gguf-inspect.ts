import { readGgufFileInfo } from 'node-llama-cpp';
import { checkGgufHeader } from './gguf-header-check';
import { readHead } from './model-library';

export interface GgufInspection {
  architecture: string | null;
  problem: string | null;
}

/**
 * Checks a GGUF file before anything hands it to llama.cpp (which can abort
 * the whole process on a malformed file): magic bytes, a parsable header,
 * and tensor data that fits inside the file.
 */
export async function inspectGguf(path: string, size: number): Promise<GgufInspection> {
  try {
    const head = await readHead(path, 4);
    if (head.toString('latin1') !== 'GGUF') {
      return { architecture: null, problem: 'not a GGUF file (wrong magic bytes)' };
    }
    const headerProblem = await checkGgufHeader(path, size);
    if (headerProblem) return { architecture: null, problem: headerProblem };
    const info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false });
    const architecture = String(info.metadata?.general?.architecture ?? '') || null;
    for (const tensor of info.fullTensorInfo ?? []) {
      // fileOffset is where the tensor's data starts; past the end means a truncated file or a lying header
      const offset = Number(tensor.fileOffset);
      if (!Number.isFinite(offset) || offset > size) {
        return { architecture, problem: `tensor "${tensor.name}" starts past the end of the file (truncated?)` };
      }
      // a download cut short inside the last tensor still starts every tensor in bounds
      const bytes = tensorBytes(tensor.ggmlType, tensor.dimensions);
      if (bytes !== null && offset + bytes > size) {
        return { architecture, problem: `tensor "${tensor.name}" ends past the end of the file (truncated?)` };
      }
    }
    if (!architecture) return { architecture: null, problem: 'the header names no architecture' };
    return { architecture, problem: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { architecture: null, problem: `unreadable GGUF header: ${message}` };
  }
}

/** [elements per block, bytes per block] of the common ggml types; others are only checked for where they start. */
const GGML_BLOCKS: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  28: [1, 8], // F64
  30: [1, 2], // BF16
};

function tensorBytes(ggmlType: number, dimensions: readonly (number | bigint)[]): number | null {
  const block = GGML_BLOCKS[ggmlType];
  if (!block) return null;
  const elements = dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
  return Number.isFinite(elements) ? Math.ceil(elements / block[0]) * block[1] : null;
}
