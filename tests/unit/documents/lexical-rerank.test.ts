import { describe, expect, test } from 'vitest';
import { analyze, compoundExpansions, countTerms, isNavigation, lexicalRerank, namesFile, phraseScore } from '../../../electron/core/documents/lexical-rerank';

const manual = countTerms([
  'Logscale Syntax: set logscale <axes> {<base>}. The command unset logscale turns off log scaling for all axes.',
  'To enable log scaling in both x and z axes: set logscale xz',
  'The set datafile separator command tells gnuplot how fields in a data file are separated; see datafile.',
  'Each datafile line is one record. Set the hostname with hostname(1).',
  'The hostname is printed by the hostname command. Give the file name as the first argument.',
  'A presenter presses enter. A presenter is a person.',
]);

describe('the analyzer the reranker reads text with', () => {
  test('drops the full-text index’s English stop words (question words included) and stems the rest, keeping word positions', () => {
    expect(analyze('How do I use logarithmic scaling on the y axis?')).toEqual([
      { stem: 'us', position: 3 },
      { stem: 'logarithm', position: 4 },
      { stem: 'scale', position: 5 },
      { stem: 'axi', position: 9 },
    ]);
    expect(analyze('Café résumés').map((t) => t.stem)).toEqual(['cafe', 'resum']);
  });

  test('counts in how many chunks each stem occurs', () => {
    const stats = countTerms(['Grid lines, grid lines', 'a grid', 'nothing here']);
    expect(stats.docs).toBe(3);
    expect(stats.df.get('grid')).toBe(2);
    expect(stats.df.get('line')).toBe(1);
    expect(stats.df.has('here')).toBe(false);
  });
});

describe('compounds from the collection’s own vocabulary', () => {
  test('"logarithmic scaling" reaches "logscale", "data file" "datafile", "host name" "hostname"', () => {
    // the full-text index stems what it is given: "logscaling" and "logscale" are one term there
    const [log] = compoundExpansions('how do I use logarithmic scaling on the y axis', [manual]);
    expect(analyze(log!)).toEqual(analyze('logscale'));
    expect(compoundExpansions('my data file has commas', [manual])).toEqual(['datafile']);
    expect(compoundExpansions('set the host name', [manual])).toEqual(['hostname']);
  });

  test('a query word the collection never writes is split into two words it does write', () => {
    expect(compoundExpansions('pass the filename', [manual])).toEqual(['file name']);
  });

  test('no compound across a stop word, from a cut second word, or that the query already says', () => {
    expect(compoundExpansions('press enter', [manual])).toEqual([]); // "pres" is more than half of "press": no abbreviation
    expect(compoundExpansions('log in to the data in a file', [manual])).toEqual([]);
    expect(compoundExpansions('set logscale', [manual])).toEqual([]);
    expect(compoundExpansions('zebra quantum', [manual])).toEqual([]);
  });
});

describe('phrase-aware reranking', () => {
  test('a chunk that says the question’s word pairs side by side beats one with the same words apart', () => {
    const stats = [countTerms(['grid lines are drawn', 'lines of a grid', 'the plot', 'other text', 'more text'])];
    const apart = { text: 'Lines are drawn; the grid is set elsewhere, and a plot follows.', score: 10 };
    const together = { text: 'The set grid command draws grid lines on the plot.', score: 9.5 };
    const ranked = lexicalRerank('add grid lines to the plot', [apart, together], stats);
    expect(ranked.map((r) => r.item)).toEqual([together, apart]);
    expect(phraseScore(apart.text, [{ first: 'grid', second: 'line', weight: 1 }])).toBe(0);
    expect(phraseScore(together.text, [{ first: 'grid', second: 'line', weight: 1 }])).toBeCloseTo(1 / 2.2);
  });

  test('with no word pairs in the query the BM25 order stays', () => {
    const a = { text: 'grid', score: 3 };
    const b = { text: 'grid grid', score: 5 };
    expect(lexicalRerank('grid', [a, b], [manual]).map((r) => r.item)).toEqual([b, a]);
  });

  test('a table of contents or an index (dot leaders) falls behind a page with the same score', () => {
    const toc = { text: '9.2.1 Customizing vim . . . . . . . . . . 138\n9.2.2 Customizing the shell prompt . . . . . . . . 139', score: 10 };
    const body = { text: 'You can customize the prompt of the shell with PS1.', score: 8 };
    expect(isNavigation(toc.text)).toBe(true);
    expect(isNavigation(body.text)).toBe(false);
    expect(lexicalRerank('customize the prompt', [toc, body], [manual]).map((r) => r.item)).toEqual([body, toc]);
  });

  test('a question that names the manual or program prefers that file', () => {
    expect(namesFile('/docs/gnuplot.pdf', 'fit a curve in gnuplot')).toBe(true);
    expect(namesFile('/docs/bashref.pdf', 'customize the bash prompt')).toBe(true);
    expect(namesFile('C:\\docs\\R-intro.pdf', 'fit a logistic regression in R')).toBe(true);
    expect(namesFile('/docs/R-intro.pdf', 'fit a curve in gnuplot')).toBe(false);
    expect(namesFile('/docs/a-manual.pdf', 'is a manual page a file')).toBe(true);
    expect(namesFile('/docs/a-guide.pdf', 'what is a file')).toBe(false); // "a" is a stop word
    const r = { text: 'fit a model by least squares with nls()', score: 10, path: '/docs/R-intro.pdf' };
    const gnuplot = { text: 'the fit command fits a function to data by least squares', score: 9, path: '/docs/gnuplot.pdf' };
    expect(lexicalRerank('least squares fit in gnuplot', [r, gnuplot], [manual]).map((x) => x.item)).toEqual([gnuplot, r]);
    expect(lexicalRerank('least squares fit', [r, gnuplot], [manual]).map((x) => x.item)).toEqual([r, gnuplot]);
  });
});
