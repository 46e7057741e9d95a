import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ANN_INDEX_MIN_ROWS, IndexStore, type ChunkRow } from '../../electron/core/documents/index-store';
import { TempDirs } from '../support/temp-dir';

/** Past the size threshold a collection's vectors get an ANN index, and searches keep answering through it. */

const temp = new TempDirs();
afterAll(() => temp.removeAll());

describe('ANN vector index', () => {
  test('is added once the table passes the threshold, and vector search still finds the nearest chunk', async () => {
    const dir = await temp.make('tandem-docs-ann-');
    const store = new IndexStore(() => join(dir, 'lancedb'));
    try {
      const dims = 32;
      let seed = 1;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
      await store.create('c', dims);
      const rows: ChunkRow[] = Array.from({ length: ANN_INDEX_MIN_ROWS - 1 }, (_, i) => ({
        id: `id-${i}`, path: `/docs/f${i % 500}.md`, type: 'markdown', page: 0, headingPath: [], ordinal: i, text: `chunk ${i}`,
        charStart: 0, charEnd: 10, contentHash: `h${i}`, fileHash: 'f', localOnly: false, vector: Array.from({ length: dims }, random),
      }));
      await store.replace('c', [], rows);
      expect(await store.ensureVectorIndex('c')).toBe(false); // below the threshold: brute force
      const target = Array.from({ length: dims }, (_, i) => (i % 2 === 0 ? 1 : -1));
      await store.replace('c', [], [{ ...rows[0]!, id: 'needle', path: '/docs/needle.md', text: 'needle', vector: target }]);
      const started = performance.now();
      expect(await store.ensureVectorIndex('c')).toBe(true);
      console.log(`ANN index over ${ANN_INDEX_MIN_ROWS} rows of ${dims} dims built in ${(performance.now() - started).toFixed(0)} ms`);
      const hits = await store.vector('c', target, 5, {});
      expect(hits[0]?.row.id).toBe('needle');
      expect(hits[0]!.score).toBeGreaterThan(0.99);
      const filtered = await store.vector('c', target, 5, { pathPrefix: '/docs/f1' });
      expect(filtered.every((h) => h.row.path.startsWith('/docs/f1'))).toBe(true);
    } finally {
      store.dispose();
    }
  }, 600_000);
});
