import { readGgufFileInfo } from 'node-llama-cpp';
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
    const info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false });
    const architecture = String(info.metadata?.general?.architecture ?? '') || null;
    for (const tensor of info.fullTensorInfo ?? []) {
      // fileOffset is where the tensor's data starts; past the end means a truncated file or a lying header
      const offset = Number(tensor.fileOffset);
      if (!Number.isFinite(offset) || offset > size) {
        return { architecture, problem: `tensor "${tensor.name}" starts past the end of the file (truncated?)` };
      }
    }
    if (!architecture) return { architecture: null, problem: 'the header names no architecture' };
    return { architecture, problem: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { architecture: null, problem: `unreadable GGUF header: ${message}` };
  }
}
