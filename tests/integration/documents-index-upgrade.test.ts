import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { IndexStore, type ChunkRow } from '../../electron/core/documents/index-store';
import { TempDirs } from '../support/temp-dir';

/**
 * A documents index written by an earlier version (no location/ocr columns, a
 * full-text index with LanceDB's default options named `text_idx`) keeps
 * working: opening it adds the columns and rebuilds the full-text index with
 * the current tokenizer options, without re-parsing anything.
 */

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const oldRow = (id: string, text: string, page: number) => ({
  id,
  path: '/docs/manual.pdf',
  type: 'pdf',
  page,
  headingPath: '[]',
  ordinal: page,
  text,
  charStart: 0,
  charEnd: text.length,
  contentHash: id,
  fileHash: 'f',
  localOnly: false,
});

describe('index upgrade', () => {
  test('an index from before locations and English stemming opens, is searched with stemming, and takes new rows with locations', async () => {
    const uri = join(await temp.make('tandem-index-upgrade-'), 'lancedb');
    process.env.LANCEDB_LOG ??= 'error';
    const lancedb = await import('@lancedb/lancedb');
    const db = await lancedb.connect(uri);
    const old = await db.createTable('chunks_col-old', [oldRow('a', 'Scaling the axes logarithmically', 3), oldRow('b', 'Colours of the border', 4)]);
    await old.createIndex('text', { config: lancedb.Index.fts({ stem: false, removeStopWords: false }), replace: true });
    expect((await old.listIndices()).map((i) => i.name)).toEqual(['text_idx']);
    old.close();
    db.close();

    const store = new IndexStore(() => uri);
    try {
      // "scaled" finds "Scaling" only with stemming: the index was rebuilt with the current options
      const hits = await store.keywordHits('col-old', 'scaled', 5, {});
      expect(hits.map((h) => [h.row.id, h.row.page, h.row.location, h.row.ocr])).toEqual([['a', 3, null, false]]);
      const table = (await store.table('col-old'))!;
      expect((await table.listIndices()).map((i) => i.name)).toEqual(['text_en_v2']);

      const slide: ChunkRow = { ...oldRow('c', 'Quarterly scaling plan', 0), type: 'pptx', headingPath: [], location: 'Slide 4', ocr: true };
      await store.replace('col-old', [], [slide]);
      await store.optimize('col-old');
      const found = await store.keywordHits('col-old', 'quarterly', 5, {});
      expect(found.map((h) => [h.row.id, h.row.location, h.row.ocr])).toEqual([['c', 'Slide 4', true]]);
    } finally {
      store.dispose();
    }
  });
});
