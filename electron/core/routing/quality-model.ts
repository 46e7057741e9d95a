import { LinearTextModel } from './linear-text-model';
import { DocumentFrequencies, termCounts, tokenize, type SparseVector } from './text-features';

/** One prompt and how models did on it (a vote, an import line, a lab result). */
export interface OutcomeSample {
  prompt: string;
  /** Score 0–1 per model id. */
  scores: ReadonlyMap<string, number>;
  /** Dollars per model id, when known. */
  costs?: ReadonlyMap<string, number>;
  /** A precomputed embedding of the prompt (unit length), when an embedding model is in use. */
  embedding?: Float32Array;
}

export interface QualityPrediction {
  /** Expected score 0–1. */
  quality: number;
  /** Outcomes behind it: neighbours that scored this model (0: prior only). */
  samples: number;
}

export interface QualityModelOptions {
  /** Neighbours considered per prompt. */
  neighbours?: number;
  /** Pseudo-outcomes of the model's overall record mixed into each neighbourhood estimate. */
  shrinkage?: number;
  /** Sharpens similarity weights (sim^power). */
  power?: number;
  /** Query terms kept (highest TF-IDF weight first); bounds the decision time on long prompts. */
  queryTerms?: number;
  /** Training prompts used to calibrate how far neighbourhoods are trusted (leave-one-out). */
  calibrationSamples?: number;
  /**
   * 'calibrated' (default): the fitted blend of signals described on the
   * class. 'neighbours': the plain similarity-weighted baseline (each model's
   * neighbour scores, shrunk toward its record), for comparison in benchmarks.
   */
  mode?: 'calibrated' | 'neighbours';
  /** Pseudo-rows pulling each model's calibration toward the weights pooled over all models (0: each model on its own). */
  poolStrength?: number;
  /** The score a model with no outcomes gets (the documented prior supplies it per model). */
  prior?: (modelId: string) => number;
}

interface Stored {
  counts: Map<number, number>;
  embedding: Float32Array | null;
  /** Model index → score. */
  scores: Map<number, number>;
  /** log(1 + word count): long prompts tend to be harder. */
  length: number;
}

interface ModelRecord {
  id: string;
  count: number;
  scoreSum: number;
  costSum: number;
  costCount: number;
}

/** Per model: how much its neighbourhood estimate, the pooled ease and the prompt length move it off its mean. */
interface Calibration {
  own: number;
  ease: number;
  length: number;
  words: number;
  modelWords: number;
}

const DEFAULTS = { neighbours: 40, shrinkage: 4, power: 2, queryTerms: 64, calibrationSamples: 1500, poolStrength: 300, mode: 'calibrated' as 'calibrated' | 'neighbours' };
/** Pseudo-outcomes at the prior before a model's own mean takes over. */
const PRIOR_WEIGHT = 5;
const FEATURES = 5;
/** Models with at least this many outcomes get their own words model (up to MAX_WORD_MODELS of them, most outcomes first). */
const MIN_WORD_MODEL_OUTCOMES = 100;
const MAX_WORD_MODELS = 24;

/**
 * Predicts how well each model will answer a prompt from outcomes on similar
 * past prompts: k nearest neighbours by cosine similarity (of embeddings
 * when every outcome has one, else of TF-IDF vectors over hashed words and
 * bigrams).
 *
 * Three signals per model, each relative to the model's overall record
 * (itself shrunk toward the prior by how many outcomes back it):
 *   own     its scores on the neighbours, shrunk toward its record by how many neighbours it has;
 *   ease    how much better than usual every model did on the neighbours (pooled, so far less noisy);
 *   length  the prompt's length against the average.
 * How far each signal is trusted is fitted per model by ridge regression on
 * leave-one-out predictions over the training outcomes. Where similarity
 * carries no signal (or misleads, as in twin-sentence benchmarks) the fitted
 * weights go to zero and predictions fall back to the record: a router that
 * learns nothing ranks like a random one, never worse by design.
 */
export class QualityModel {
  private readonly options: typeof DEFAULTS & Pick<QualityModelOptions, 'prior'>;
  private readonly df = new DocumentFrequencies();
  private readonly stored: Stored[] = [];
  private readonly models: ModelRecord[] = [];
  private readonly modelIndex = new Map<string, number>();
  private postings = new Map<number, { doc: Uint32Array; value: Float32Array }>();
  private pending = new Map<number, { doc: number[]; value: number[] }>();
  private builtFor = 0;
  private indexed = 0;
  private calibratedFor = 0;
  private fitCount = 0;
  /** A fit carried over from the model this one replaces (same outcomes but a vote): used until the outcomes grow by a tenth. */
  private inherited: { words: LinearTextModel; calibration: Map<string, Calibration>; modelWords: Map<string, LinearTextModel>; calibratedFor: number } | null = null;
  private statsStale = true;
  private means: number[] = [];
  private meanLength = 0;
  private ease: Float32Array = new Float32Array();
  private calibration: Calibration[] = [];
  private sims = new Float32Array();
  private vectors: SparseVector[] = [];
  /** TF-IDF → ease, fitted on every outcome; and out-of-fold predictions of it for calibration. */
  private words = new LinearTextModel();
  private wordsOutOfFold = new Float32Array();
  /** Per model: TF-IDF → (its score − its record), and out-of-fold predictions of it; null for models with few outcomes. */
  private modelWords: (LinearTextModel | null)[] = [];
  private modelWordsOutOfFold: (Float32Array | null)[] = [];

  constructor(options: QualityModelOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  get size(): number {
    return this.stored.length;
  }

  /** Models with at least one outcome, in the order first seen. */
  modelIds(): string[] {
    return this.models.map((m) => m.id);
  }

  /** A model's overall record: mean score, outcomes and mean cost (null when no cost was given). */
  record(modelId: string): { meanScore: number; count: number; meanCostUsd: number | null } | null {
    const index = this.modelIndex.get(modelId);
    if (index === undefined) return null;
    const m = this.models[index]!;
    return { meanScore: m.scoreSum / m.count, count: m.count, meanCostUsd: m.costCount ? m.costSum / m.costCount : null };
  }

  add(sample: OutcomeSample): void {
    const scores = new Map<number, number>();
    for (const [modelId, score] of sample.scores) {
      let index = this.modelIndex.get(modelId);
      if (index === undefined) {
        index = this.models.length;
        this.modelIndex.set(modelId, index);
        this.models.push({ id: modelId, count: 0, scoreSum: 0, costSum: 0, costCount: 0 });
      }
      const m = this.models[index]!;
      m.count += 1;
      m.scoreSum += score;
      const cost = sample.costs?.get(modelId);
      if (cost !== undefined) {
        m.costSum += cost;
        m.costCount += 1;
      }
      scores.set(index, score);
    }
    const counts = termCounts(sample.prompt);
    this.df.add(counts);
    this.stored.push({ counts, embedding: sample.embedding ?? null, scores, length: Math.log1p(tokenize(sample.prompt).length) });
    this.statsStale = true;
  }

  /** How many times the weights were fitted (the slow part); for tests and diagnostics. */
  get fits(): number {
    return this.fitCount;
  }

  /** Indexes and fits now if needed (a background caller's way to keep that cost off the next decision). */
  prepare(): void {
    this.refresh();
  }

  /**
   * Takes over `previous`'s fitted weights (call before the first predict):
   * a rebuilt model over nearly the same outcomes (a vote changed or taken
   * back) then answers at once instead of refitting on the decision path.
   */
  inheritFit(previous: QualityModel): void {
    if (previous.calibratedFor === 0) return;
    this.inherited = {
      words: previous.words,
      calibration: new Map(previous.models.map((m, index) => [m.id, previous.calibration[index] ?? NO_CALIBRATION])),
      modelWords: new Map(previous.models.flatMap((m, index) => (previous.modelWords[index] ? [[m.id, previous.modelWords[index]!] as const] : []))),
      calibratedFor: previous.calibratedFor,
    };
  }

  /** Predicted quality per known model for a prompt (pass its embedding when the outcomes carry embeddings). */
  predict(prompt: string, embedding?: Float32Array, timings?: { representMs: number; searchMs: number }): Map<string, QualityPrediction> {
    this.refresh();
    const started = performance.now();
    const query = embedding ? null : this.df.vector(termCounts(prompt));
    const represented = performance.now();
    const neighbours = this.neighbours(this.similarities(prompt, embedding, query), -1);
    const length = Math.log1p(tokenize(prompt).length);
    const vector = query ?? this.df.vector(termCounts(prompt));
    const words = this.words.predict(vector);
    const result = new Map<string, QualityPrediction>();
    this.models.forEach((model, index) => {
      const { features, samples } = this.features(index, neighbours, length, words, this.modelWords[index]?.predict(vector) ?? 0);
      const c = this.options.mode === 'neighbours' ? { ...NO_CALIBRATION, own: 1 } : (this.calibration[index] ?? NO_CALIBRATION);
      const quality =
        this.means[index]! + c.own * features[0]! + c.ease * features[1]! + c.length * features[2]! + c.words * features[3]! + c.modelWords * features[4]!;
      result.set(model.id, { quality: clamp01(quality), samples });
    });
    if (timings) {
      timings.representMs = represented - started;
      timings.searchMs = performance.now() - represented;
    }
    return result;
  }

  /** The features of one model for one neighbourhood, each relative to the model's record. */
  private features(
    model: number,
    neighbours: readonly { doc: number; weight: number }[],
    length: number,
    words: number,
    modelWords: number,
  ): { features: number[]; samples: number } {
    const { shrinkage } = this.options;
    let weight = 0;
    let sum = 0;
    let samples = 0;
    let easeWeight = 0;
    let easeSum = 0;
    for (const { doc, weight: w } of neighbours) {
      easeSum += w * this.ease[doc]!;
      easeWeight += w;
      const score = this.stored[doc]!.scores.get(model);
      if (score === undefined) continue;
      weight += w;
      sum += w * score;
      samples += 1;
    }
    const mean = this.means[model]!;
    const own = (sum + shrinkage * mean) / (weight + shrinkage) - mean;
    const ease = easeSum / (easeWeight + 0.5);
    return { features: [own, ease, length - this.meanLength, words, modelWords], samples };
  }

  private neighbours(sims: Float32Array, exclude: number): { doc: number; weight: number }[] {
    const { neighbours: k, power } = this.options;
    const top: { doc: number; sim: number }[] = [];
    let floor = 0;
    for (let doc = 0; doc < this.stored.length; doc++) {
      const sim = sims[doc]!;
      if (sim <= floor || doc === exclude) continue;
      top.push({ doc, sim });
      if (top.length > k * 4) {
        top.sort((a, b) => b.sim - a.sim);
        top.length = k;
        floor = top[k - 1]!.sim;
      }
    }
    top.sort((a, b) => b.sim - a.sim);
    if (top.length > k) top.length = k;
    return top.map(({ doc, sim }) => ({ doc, weight: sim ** power }));
  }

  /** Cosine similarity to every stored prompt (a reused buffer: read it before the next call). */
  private similarities(prompt: string, embedding?: Float32Array, query: SparseVector | null = null): Float32Array {
    if (this.sims.length < this.stored.length) this.sims = new Float32Array(Math.max(1024, this.stored.length * 2));
    const sims = this.sims;
    sims.fill(0, 0, this.stored.length);
    if (embedding && this.stored.length > 0 && this.stored.every((s) => s.embedding?.length === embedding.length)) {
      this.stored.forEach((s, doc) => {
        const e = s.embedding!;
        let dot = 0;
        for (let i = 0; i < e.length; i++) dot += e[i]! * embedding[i]!;
        sims[doc] = dot;
      });
      return sims;
    }
    this.accumulate(query ?? this.df.vector(termCounts(prompt)), sims);
    return sims;
  }

  private accumulate(query: SparseVector, sims: Float32Array): void {
    const { queryTerms } = this.options;
    let order = Array.from(query.ids.keys());
    if (order.length > queryTerms) order = order.sort((a, b) => query.values[b]! - query.values[a]!).slice(0, queryTerms);
    for (const i of order) {
      const id = query.ids[i]!;
      const q = query.values[i]!;
      const list = this.postings.get(id);
      if (list) for (let j = 0; j < list.doc.length; j++) { const d = list.doc[j]!; sims[d] = sims[d]! + q * list.value[j]!; }
      const extra = this.pending.get(id);
      if (extra) for (let j = 0; j < extra.doc.length; j++) { const d = extra.doc[j]!; sims[d] = sims[d]! + q * extra.value[j]!; }
    }
  }

  /** Rebuilds the index when the corpus grew by a tenth (IDF drifts slowly), and the statistics and calibration after any change. */
  private refresh(): void {
    const n = this.stored.length;
    if (n > 0 && (this.builtFor === 0 || n > this.builtFor * 1.1 + 50)) {
      const lists = new Map<number, { doc: number[]; value: number[] }>();
      this.vectors = this.stored.map((s) => this.df.vector(s.counts));
      this.vectors.forEach((vector, doc) => addPostings(lists, doc, vector));
      this.postings = new Map([...lists].map(([id, list]) => [id, { doc: Uint32Array.from(list.doc), value: Float32Array.from(list.value) }]));
      this.pending = new Map();
      this.builtFor = this.indexed = n;
    } else if (this.indexed < n) {
      for (let doc = this.indexed; doc < n; doc++) {
        this.vectors[doc] = this.df.vector(this.stored[doc]!.counts);
        addPostings(this.pending, doc, this.vectors[doc]!);
      }
      this.indexed = n;
    }
    if (this.statsStale) {
      this.statsStale = false;
      this.computeStatistics();
      // Fitting is the slow part (a second or so at 10,000 outcomes): redone when the outcomes grew by a tenth, not per vote.
      const fittedFor = this.inherited?.calibratedFor ?? this.calibratedFor;
      if (fittedFor === 0 || n > fittedFor * 1.1 + 20) {
        this.fitWords();
        this.calibrate();
        this.calibratedFor = n;
        this.fitCount += 1;
        this.inherited = null;
      } else if (this.inherited) {
        const { words, calibration, modelWords, calibratedFor } = this.inherited;
        this.words = words;
        this.calibration = this.models.map((m) => calibration.get(m.id) ?? NO_CALIBRATION);
        this.modelWords = this.models.map((m) => modelWords.get(m.id) ?? null);
        this.calibratedFor = calibratedFor;
        this.inherited = null;
      }
    }
  }

  private computeStatistics(): void {
    const prior = this.options.prior;
    this.means = this.models.map((m) => {
      const p = prior ? prior(m.id) : 0.5;
      return (m.scoreSum + PRIOR_WEIGHT * p) / (m.count + PRIOR_WEIGHT);
    });
    this.meanLength = this.stored.reduce((sum, s) => sum + s.length, 0) / Math.max(1, this.stored.length);
    this.ease = new Float32Array(this.stored.length);
    this.stored.forEach((s, doc) => {
      let sum = 0;
      for (const [index, score] of s.scores) sum += score - this.means[index]!;
      this.ease[doc] = s.scores.size ? sum / s.scores.size : 0;
    });
  }

  /** Fits TF-IDF → ease on all outcomes, and on each half to predict the other (out-of-fold values for calibration). */
  private fitWords(): void {
    const n = this.stored.length;
    const targets = Array.from(this.ease);
    this.words = new LinearTextModel().fit(this.vectors, targets);
    this.wordsOutOfFold = new Float32Array(n);
    for (const fold of [0, 1]) {
      const train = [...Array(n).keys()].filter((doc) => doc % 2 !== fold);
      const model = new LinearTextModel().fit(train.map((doc) => this.vectors[doc]!), train.map((doc) => targets[doc]!));
      for (let doc = fold; doc < n; doc += 2) this.wordsOutOfFold[doc] = model.predict(this.vectors[doc]!);
    }
    const eligible = this.models
      .map((m, index) => ({ index, count: m.count }))
      .filter((m) => m.count >= MIN_WORD_MODEL_OUTCOMES)
      .sort((a, b) => b.count - a.count)
      .slice(0, MAX_WORD_MODELS);
    this.modelWords = this.models.map(() => null);
    this.modelWordsOutOfFold = this.models.map(() => null);
    for (const { index } of eligible) {
      const docs = [...Array(n).keys()].filter((doc) => this.stored[doc]!.scores.has(index));
      const target = (doc: number) => this.stored[doc]!.scores.get(index)! - this.means[index]!;
      this.modelWords[index] = new LinearTextModel().fit(docs.map((doc) => this.vectors[doc]!), docs.map(target));
      const outOfFold = new Float32Array(n);
      for (const fold of [0, 1]) {
        const train = docs.filter((doc) => doc % 2 !== fold);
        const model = new LinearTextModel().fit(train.map((doc) => this.vectors[doc]!), train.map(target));
        for (const doc of docs) if (doc % 2 === fold) outOfFold[doc] = model.predict(this.vectors[doc]!);
      }
      this.modelWordsOutOfFold[index] = outOfFold;
    }
  }

  /**
   * Leave-one-out over (a deterministic sample of) the training prompts: each
   * prompt's features come from its neighbours without itself, and a ridge
   * regression per model fits how far each feature moves the score.
   */
  private calibrate(): void {
    const n = this.stored.length;
    const m = this.models.length;
    const step = Math.max(1, n / this.options.calibrationSamples);
    const xtx = Array.from({ length: m }, () => new Float64Array(FEATURES * FEATURES));
    const xty = Array.from({ length: m }, () => new Float64Array(FEATURES));
    const rows = new Float64Array(m);
    for (let at = 0; at < n; at += step) {
      const doc = Math.floor(at);
      const s = this.stored[doc]!;
      // Leave the prompt's own outcomes out of the ease too: recompute ease without it is implicit, as it is not a neighbour.
      const sims = s.embedding && this.stored.every((o) => o.embedding?.length === s.embedding!.length)
        ? this.similarities('', s.embedding)
        : (() => {
            const buffer = this.similarities('', undefined);
            this.accumulate(this.df.vector(s.counts), buffer);
            return buffer;
          })();
      const neighbours = this.neighbours(sims, doc);
      for (const [model, score] of s.scores) {
        const { features } = this.features(model, neighbours, s.length, this.wordsOutOfFold[doc]!, this.modelWordsOutOfFold[model]?.[doc] ?? 0);
        const target = score - this.means[model]!;
        const a = xtx[model]!;
        const b = xty[model]!;
        for (let i = 0; i < FEATURES; i++) {
          b[i] = b[i]! + features[i]! * target;
          for (let j = 0; j < FEATURES; j++) a[i * FEATURES + j] = a[i * FEATURES + j]! + features[i]! * features[j]!;
        }
        rows[model] = rows[model]! + 1;
      }
    }
    // First the weights pooled over every model (many rows: stable), then each model's own, pulled toward them.
    const pooledA = new Float64Array(FEATURES * FEATURES);
    const pooledB = new Float64Array(FEATURES);
    let pooledRows = 0;
    this.models.forEach((_, model) => {
      xtx[model]!.forEach((v, i) => (pooledA[i] = pooledA[i]! + v));
      xty[model]!.forEach((v, i) => (pooledB[i] = pooledB[i]! + v));
      pooledRows += rows[model]!;
    });
    const pooled = fitRidge(pooledA, pooledB, pooledRows, null, 0);
    this.calibration = this.models.map((_, model) => {
      const w = fitRidge(xtx[model]!, xty[model]!, rows[model]!, pooled, this.options.poolStrength);
      return { own: w[0]!, ease: w[1]!, length: w[2]!, words: w[3]!, modelWords: w[4]! };
    });
  }
}

/**
 * Ridge regression for the calibration: features that never varied get
 * weight 0 (not whatever rounding makes them); the others are shrunk toward
 * `prior` (or 0) with a strength in pseudo-rows scaled by each feature's own
 * size, so it is unit-free.
 */
function fitRidge(xtx: Float64Array, xty: Float64Array, rows: number, prior: Float64Array | null, priorRows: number): Float64Array {
  const a = Float64Array.from(xtx);
  const b = Float64Array.from(xty);
  const n = Math.max(1, rows);
  for (let i = 0; i < FEATURES; i++) {
    const d = i * FEATURES + i;
    if (a[d]! / n < 1e-10) {
      for (let j = 0; j < FEATURES; j++) a[i * FEATURES + j] = a[j * FEATURES + i] = 0;
      a[d] = 1;
      b[i] = 0;
      continue;
    }
    const strength = (a[d]! / n) * (RIDGE + priorRows);
    a[d] = a[d]! + strength;
    if (prior) b[i] = b[i]! + strength * (priorRows / (RIDGE + priorRows)) * prior[i]!;
  }
  return solve(a, b, FEATURES);
}

const NO_CALIBRATION: Calibration = { own: 0, ease: 0, length: 0, words: 0, modelWords: 0 };

/** Ridge strength in pseudo-rows (relative to each feature's own variance). */
const RIDGE = 30;

function addPostings(lists: Map<number, { doc: number[]; value: number[] }>, doc: number, vector: SparseVector): void {
  for (let i = 0; i < vector.ids.length; i++) {
    const id = vector.ids[i]!;
    let list = lists.get(id);
    if (!list) lists.set(id, (list = { doc: [], value: [] }));
    list.doc.push(doc);
    list.value.push(vector.values[i]!);
  }
}

/** Solves a small symmetric positive-definite system by Gaussian elimination. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    const pivot = m[col * n + col]!;
    if (Math.abs(pivot) < 1e-12) continue;
    for (let row = col + 1; row < n; row++) {
      const f = m[row * n + col]! / pivot;
      for (let k = col; k < n; k++) m[row * n + k] = m[row * n + k]! - f * m[col * n + k]!;
      x[row] = x[row]! - f * x[col]!;
    }
  }
  const out = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let sum = x[row]!;
    for (let k = row + 1; k < n; k++) sum -= m[row * n + k]! * out[k]!;
    const pivot = m[row * n + row]!;
    out[row] = Math.abs(pivot) < 1e-12 ? 0 : sum / pivot;
  }
  return out;
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
