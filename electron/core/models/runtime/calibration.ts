import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { ThreadCalibrationSchema, type ThreadCalibration } from '../../../../shared/ipc/routes/runtime';
import { writeFileAtomic } from '../../fs/atomic-write';

/** Prompt and generated tokens a chat turn is weighed by when one thread count must serve both (pp512 + tg128). */
const TURN_PROMPT_TOKENS = 512;
const TURN_GENERATED_TOKENS = 128;

export interface CalibrationOptions {
  cores: number;
  /** Tokens generated per measurement. */
  generationTokens?: number;
  /** Prompt tokens evaluated per measurement. */
  promptTokens?: number;
  /** After this long, the second pass stops (the first always measures every count). */
  budgetMs?: number;
  /** About how long one measurement (a prompt, or generation) takes at most. */
  stepMs?: number;
  signal?: AbortSignal;
}

export interface CalibrationResult {
  generationTps: number[];
  promptTps: number[];
}

/** Thread counts measured on a machine with `cores` cores: all up to 8, else powers of two, half and all. */
export function candidateThreads(cores: number): number[] {
  if (cores <= 8) return Array.from({ length: cores }, (_, i) => i + 1);
  const counts = new Set<number>([Math.floor(cores / 2), cores]);
  for (let n = 1; n < cores; n *= 2) counts.add(n);
  return [...counts].sort((a, b) => a - b);
}

/**
 * Times generation and prompt processing of a loaded model at several thread
 * counts (1..cores; see candidateThreads): two passes (up, then down) so a
 * busy neighbour hits every count alike, keeping each count's best; the
 * second pass only while the budget lasts. A context per count
 * (node-llama-cpp sets threads per context), warmed up first. Each
 * measurement is bounded in time, so a big model takes a few seconds too:
 * generation stops after `generationTokens` or `stepMs`, and the prompt is
 * shortened to what the fastest count evaluates in about `stepMs`.
 */
export async function measureThreads(model: LlamaModel, options: CalibrationOptions): Promise<CalibrationResult> {
  const generationTokens = options.generationTokens ?? 24;
  const maxPromptTokens = options.promptTokens ?? 128;
  const budgetMs = options.budgetMs ?? 8000;
  const stepMs = options.stepMs ?? 300;
  const cores = Math.max(1, options.cores);
  const generationTps = new Array<number>(cores).fill(0);
  const promptTps = new Array<number>(cores).fill(0);
  const fullPrompt = promptOf(model, maxPromptTokens);
  let prompt = fullPrompt;
  const start: Token[] = model.tokens.bos != null ? [model.tokens.bos] : fullPrompt.slice(0, 1);
  const started = performance.now();
  const counts = candidateThreads(cores);
  const withContext = async (threads: number, work: (sequence: LlamaContextSequence) => Promise<void>) => {
    const context = await model.createContext({
      contextSize: Math.max(256, maxPromptTokens + generationTokens + 16),
      batchSize: maxPromptTokens,
      sequences: 1,
      threads: { ideal: threads, min: threads },
    });
    try {
      await work(context.getSequence());
    } finally {
      await context.dispose();
    }
  };
  // the prompt length: what the most threads evaluate in about stepMs
  await withContext(counts.at(-1)!, async (sequence) => {
    const probe = fullPrompt.slice(0, 16);
    await sequence.evaluateWithoutGeneratingNewTokens(probe.slice(0, 4)); // warm-up
    await sequence.clearHistory();
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(probe);
    const perSecond = probe.length / Math.max(0.001, (performance.now() - t0) / 1000);
    prompt = fullPrompt.slice(0, Math.max(16, Math.min(maxPromptTokens, Math.round((perSecond * stepMs) / 1000))));
  });
  for (const [pass, order] of [counts, [...counts].reverse()].entries()) {
    for (const threads of order) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      if (pass > 0 && performance.now() - started > budgetMs) break;
      await withContext(threads, async (sequence) => {
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 8)); // warm-up
        await sequence.clearHistory();
        let t0 = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt);
        promptTps[threads - 1] = Math.max(promptTps[threads - 1]!, prompt.length / ((performance.now() - t0) / 1000));
        await sequence.clearHistory();
        let generated = 0;
        t0 = 0;
        for await (const token of sequence.evaluate(start, { temperature: 0 })) {
          void token;
          // timed from the first token on: steady-state generation, as llama-bench's tg
          if (generated === 0) t0 = performance.now();
          else if (generated >= generationTokens || (generated >= 4 && performance.now() - t0 > stepMs)) break;
          generated++;
        }
        const seconds = (performance.now() - t0) / 1000;
        if (seconds > 0 && generated > 0) generationTps[threads - 1] = Math.max(generationTps[threads - 1]!, generated / seconds);
      });
    }
  }
  return { generationTps, promptTps };
}

function promptOf(model: LlamaModel, length: number): Token[] {
  const text = 'The quick brown fox jumps over the lazy dog while the cat sleeps in the sun. ';
  const tokens = model.tokenize(text);
  const out: Token[] = model.tokens.bos != null ? [model.tokens.bos] : [];
  while (out.length < length) out.push(...tokens.slice(0, length - out.length));
  return out.length > 0 ? out : ([1] as Token[]);
}

/** The best count of each kind, and the one count a chat context gets (fastest pp512 + tg128 turn). */
export function chooseThreads(result: CalibrationResult): { generation: number; batch: number; chat: number } {
  const argmax = (xs: number[]) => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0) + 1;
  let chat = 1;
  let bestTime = Infinity;
  for (let i = 0; i < result.generationTps.length; i++) {
    const gen = result.generationTps[i]!;
    const pp = result.promptTps[i]!;
    if (gen <= 0 || pp <= 0) continue;
    const time = TURN_PROMPT_TOKENS / pp + TURN_GENERATED_TOKENS / gen;
    if (time < bestTime) {
      bestTime = time;
      chat = i + 1;
    }
  }
  return { generation: argmax(result.generationTps), batch: argmax(result.promptTps), chat };
}

const CalibrationFileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), ThreadCalibrationSchema) });

/**
 * Measured threads per model and runtime, kept in `<data dir>/runtime/threads.json`
 * (a missing or broken file is an empty one: calibration runs again).
 */
export class CalibrationStore {
  private entries: Record<string, ThreadCalibration> = {};
  private loaded: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  static key(runtime: string, modelPath: string, sizeBytes: number): string {
    return `${runtime}|${modelPath}|${sizeBytes}`;
  }

  private load(): Promise<void> {
    this.loaded ??= readFile(this.file, 'utf8')
      .then((text) => {
        const parsed = CalibrationFileSchema.safeParse(JSON.parse(text));
        if (parsed.success) this.entries = parsed.data.entries;
      })
      .catch(() => undefined);
    return this.loaded;
  }

  async get(key: string): Promise<ThreadCalibration | null> {
    await this.load();
    return this.entries[key] ?? null;
  }

  async all(): Promise<ThreadCalibration[]> {
    await this.load();
    return Object.values(this.entries).sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
  }

  async set(key: string, value: ThreadCalibration): Promise<void> {
    await this.load();
    this.entries[key] = value;
    const content = JSON.stringify({ version: 1, entries: this.entries }, null, 2);
    this.writing = this.writing.then(() => writeFileAtomic(this.file, content)).catch(() => undefined);
    await this.writing;
  }
}
