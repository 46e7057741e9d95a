import { join } from 'node:path';
import { z } from 'zod';
import { JsonlLog } from './jsonl-log';
import { QualityModel, type QualityModelOptions } from './quality-model';
import type { OutcomeLine } from '../../../shared/ipc/routes/routing';
import { toSample } from './outcome-file';
import type { OutcomeSample } from './quality-model';
import { promptKey, type PromptEmbedder, type PromptEmbeddingCache } from './prompt-embeddings';

/** One line of `routing/outcomes.jsonl`: what every learner reads. */
export const OutcomeRecordSchema = z.object({
  at: z.string(),
  /** Where it came from: a vote, an imported file, the compare view, the benchmark lab. */
  source: z.enum(['vote', 'import', 'compare', 'lab', 'judge']),
  /** Records with the same key replace each other (a changed vote); an empty `outcomes` takes it back. */
  key: z.string().optional(),
  prompt: z.string(),
  task: z.string().optional(),
  outcomes: z.record(z.string(), z.object({ score: z.number().min(0).max(1), costUsd: z.number().nonnegative().optional() })),
});
export type OutcomeRecord = z.infer<typeof OutcomeRecordSchema>;

/**
 * Outcomes as an append-only log in the data dir, replayed at start into the
 * quality model. Keyed records (votes) replace earlier ones with the same
 * key; a change to one rebuilds the model (fast: it only indexes).
 */
export class OutcomeLog {
  private readonly log: JsonlLog<OutcomeRecord>;
  private readonly keyed = new Map<string, OutcomeRecord>();
  private readonly plain: OutcomeRecord[] = [];
  private model: QualityModel;
  /** Unit vectors of outcome prompts under the embedder in use; null: lexical similarity only. */
  private vectors: Map<string, Float32Array> | null = null;
  private embedderId: string | null = null;
  /** Every outcome has a vector under `embedderId`. */
  private complete = false;

  constructor(
    dataDir: string,
    private readonly options: QualityModelOptions,
    onWriteError?: (error: Error) => void,
  ) {
    this.log = new JsonlLog(join(dataDir, 'routing', 'outcomes.jsonl'), OutcomeRecordSchema, onWriteError);
    this.model = new QualityModel(options);
  }

  /** Replays the log; damaged lines are returned as problems, never fatal. */
  async load(): Promise<string[]> {
    const { records, problems } = await this.log.replay();
    for (const record of records) this.remember(record);
    this.rebuild();
    return problems;
  }

  get quality(): QualityModel {
    return this.model;
  }

  /** Outcomes learned (votes taken back not counted). */
  get size(): number {
    return this.model.size;
  }

  /** Learns imported lines and appends them to the log. */
  learn(lines: readonly OutcomeLine[], source: OutcomeRecord['source'] = 'import'): void {
    const at = new Date().toISOString();
    for (const line of lines) {
      const record: OutcomeRecord = { at, source, prompt: line.prompt, outcomes: line.outcomes, ...(line.task ? { task: line.task } : {}) };
      this.log.append(record);
      this.plain.push(record);
      this.model.add(this.sample(record));
    }
  }

  /** Records (or with null, takes back) one keyed outcome, e.g. a vote on an answer. */
  setKeyed(key: string, entry: { prompt: string; modelId: string; score: number } | null, source: OutcomeRecord['source'] = 'vote'): void {
    const record: OutcomeRecord = {
      at: new Date().toISOString(),
      source,
      key,
      prompt: entry?.prompt ?? '',
      outcomes: entry ? { [entry.modelId]: { score: entry.score } } : {},
    };
    this.log.append(record);
    const had = this.keyed.has(key);
    this.remember(record);
    if (had || !entry) this.rebuild();
    else this.model.add(this.sample(record));
  }

  /**
   * Records one outcome over one or more models (a compare vote, a judge's
   * scores, a lab task). With a key it replaces the earlier record with that
   * key (an empty `outcomes` takes it back); without one it is appended.
   */
  record(
    key: string | null,
    outcome: { prompt: string; task?: string; outcomes: OutcomeRecord['outcomes'] },
    source: OutcomeRecord['source'],
  ): void {
    const record: OutcomeRecord = {
      at: new Date().toISOString(),
      source,
      ...(key === null ? {} : { key }),
      prompt: outcome.prompt,
      ...(outcome.task ? { task: outcome.task } : {}),
      outcomes: outcome.outcomes,
    };
    this.log.append(record);
    if (key === null) {
      this.plain.push(record);
      this.model.add(this.sample(record));
      return;
    }
    const had = this.keyed.has(key);
    this.remember(record);
    if (had || Object.keys(outcome.outcomes).length === 0) this.rebuild();
    else this.model.add(this.sample(record));
  }

  /** Every outcome in force (votes taken back left out), oldest first; for the leaderboard. */
  all(): readonly OutcomeRecord[] {
    return this.records();
  }

  /** Whether every outcome has an embedding under `embedderId` (then similarity is by embeddings). */
  embeddedWith(embedderId: string): boolean {
    return this.complete && this.embedderId === embedderId;
  }

  /**
   * Embeds every outcome prompt not embedded yet (cached on disk per
   * embedder) and rebuilds the model over embeddings. Outcomes learned while
   * this runs are embedded on the next call; until then similarity stays lexical.
   */
  async useEmbeddings(embedder: PromptEmbedder, cache: PromptEmbeddingCache, signal?: AbortSignal): Promise<void> {
    const prompts = this.records().map((r) => r.prompt);
    const vectors = await cache.vectors(embedder, prompts, signal);
    if (signal?.aborted) return;
    this.vectors = vectors;
    this.embedderId = embedder.id;
    // Neighbours by embeddings are other neighbours: fit afresh, here in the background pass rather than in the next decision.
    this.rebuild(false);
    this.model.prepare();
    this.complete = this.records().every((r) => vectors.has(promptKey(r.prompt)));
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  private remember(record: OutcomeRecord): void {
    if (record.key === undefined) this.plain.push(record);
    else if (Object.keys(record.outcomes).length === 0) this.keyed.delete(record.key);
    else this.keyed.set(record.key, record);
  }

  private records(): OutcomeRecord[] {
    return [...this.plain, ...this.keyed.values()].filter((record) => record.prompt && Object.keys(record.outcomes).length > 0);
  }

  private sample(record: OutcomeRecord): OutcomeSample {
    const embedding = this.vectors?.get(promptKey(record.prompt));
    if (!embedding) this.complete = false; // similarity goes back to lexical until the next embedding pass
    return embedding ? { ...toSample(record), embedding } : toSample(record);
  }

  private rebuild(inherit = true): void {
    const model = new QualityModel(this.options);
    for (const record of this.records()) model.add(this.sample(record));
    // A changed vote must not make the next decision refit everything: the old fit stands until the outcomes grow.
    if (inherit) model.inheritFit(this.model);
    this.model = model;
  }
}
