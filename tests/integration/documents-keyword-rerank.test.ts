import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { searchCollections } from '../../electron/core/documents/hybrid-search';
import { IndexStore, type ChunkRow } from '../../electron/core/documents/index-store';
import { TempDirs } from '../support/temp-dir';

/**
 * Keyword search with the collection's own vocabulary: compounds the manual
 * writes ("logscale") are found for the words a user types ("logarithmic
 * scaling"), and the term statistics behind them follow the table as it
 * changes without a search ever waiting for a recount (the phrase score is
 * tested in tests/unit/documents/lexical-rerank.test.ts).
 */

const temp = new TempDirs();
afterAll(() => temp.removeAll());

let ordinal = 0;
const row = (path: string, page: number, text: string): ChunkRow => ({
  id: `c${++ordinal}`,
  path,
  type: 'pdf',
  page,
  headingPath: [],
  ordinal,
  text,
  charStart: 0,
  charEnd: text.length,
  contentHash: `h${ordinal}`,
  fileHash: 'f',
  localOnly: false,
});

const filler = (n: number) =>
  Array.from({ length: n }, (_, i) => row('/docs/other.pdf', 100 + i, `Chapter ${i}: the terminal driver prints text on page ${i}; the scaling of axis tics and labels is set here.`));

describe('keyword search with the collection’s vocabulary', () => {
  test('"logarithmic scaling" finds the pages about logscale, and a file indexed later adds its words once recounted', async () => {
    const uri = join(await temp.make('tandem-keyword-rerank-'), 'lancedb');
    const index = new IndexStore(() => uri);
    try {
      await index.create('col', null);
      await index.replace('col', [], [
        row('/docs/gnuplot.pdf', 167, 'Logscale. Syntax: set logscale <axes> {<base>}. Examples: set logscale y 2 sets the y axis to base 2.'),
        row('/docs/gnuplot.pdf', 168, 'Another logscale example: unset logscale turns it off for every axis.'),
        row('/docs/gnuplot.pdf', 33, 'The scaling of coordinates is described in the next chapter.'),
        row('/docs/gnuplot.pdf', 154, 'Lines are drawn on the plot by default, and a grid follows the tics.'),
        row('/docs/gnuplot.pdf', 155, 'The set grid command draws grid lines on the plot.'),
        ...filler(20),
      ]);
      await index.optimize('col');
      const search = async (query: string) => (await searchCollections(index, null, [{ collectionId: 'col', embedder: null }], { query, k: 3, mode: 'keyword' })).hits.map((h) => h.page);

      // the pages that say "logscale" (never "logarithmic") come before the one that only says "scaling"
      expect((await search('how do I use logarithmic scaling on the y axis')).slice(0, 2).sort()).toEqual([167, 168]);
      expect((await search('add grid lines to the plot'))[0]).toBe(155);

      // The statistics follow the table: a new file's compound is found once its recount is done,
      // and the search that started the recount answered at once with the old counts.
      await index.replace('col', [], [row('/docs/data.pdf', 7, 'The datafile separator sets what separates fields.'), row('/docs/data.pdf', 8, 'Each datafile line is one record.')]);
      const before = await index.termStats('col');
      expect(before!.df.get('datafil')).toBeUndefined();
      await expect.poll(async () => (await index.termStats('col'))!.df.get('datafil'), { timeout: 10_000 }).toBe(2);
      expect([7, 8]).toContain((await search('read a data file'))[0]);
    } finally {
      index.dispose();
    }
  });
});
