import type { SparseVector } from './text-features';

const BITS = 18;
const MASK = (1 << BITS) - 1;

/**
 * Ridge regression from a TF-IDF vector to a number, fitted by a few epochs of
 * SGD with L2 shrinkage: learns which words make prompts easier or harder
 * across all models' outcomes. Weights live in a fixed 2^18 table (1 MB).
 */
export class LinearTextModel {
  private readonly weights = new Float32Array(1 << BITS);
  private bias = 0;

  /** Fits targets for vectors; `l2` per-step decay, `epochs` passes in a fixed shuffled order. */
  fit(vectors: readonly SparseVector[], targets: readonly number[], { epochs = 6, rate = 0.5, l2 = 1e-4 } = {}): this {
    const n = vectors.length;
    if (n === 0) return this;
    this.bias = targets.reduce((a, b) => a + b, 0) / n;
    const order = Array.from({ length: n }, (_, i) => i);
    let seed = 12345;
    for (let i = n - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let epoch = 0; epoch < epochs; epoch++) {
      const step = rate / (1 + epoch);
      for (const i of order) {
        const v = vectors[i]!;
        const error = this.predict(v) - targets[i]!;
        for (let k = 0; k < v.ids.length; k++) {
          const id = v.ids[k]! & MASK;
          this.weights[id] = this.weights[id]! - step * (error * v.values[k]! + l2 * this.weights[id]!);
        }
      }
    }
    return this;
  }

  predict(vector: SparseVector): number {
    let sum = this.bias;
    for (let k = 0; k < vector.ids.length; k++) sum += this.weights[vector.ids[k]! & MASK]! * vector.values[k]!;
    return sum;
  }
}
