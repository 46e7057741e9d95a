import { describe, expect, test } from 'vitest';
import type { SearchHit, SearchMode } from '../../../shared/ipc/routes/documents';
import { formatEvalReport, isRightHit, parseEvalSet, runSearchEval } from '../../../electron/core/documents/search-eval';
import { rerankHits, RERANK_CANDIDATES } from '../../../electron/core/documents/reranker';

function hit(path: string, page: number | null, text = `${path} ${page}`): SearchHit {
  return { chunkId: text, collectionId: 'col-1', path, page, headingPath: [], type: 'pdf', snippet: text, text, score: 1, localOnly: false, charStart: 0, charEnd: text.length };
}

describe('QA set parsing', () => {
  test('good lines become questions with their line numbers; bad lines are reported as FILE:LINE with a reason', () => {
    const text = [
      '{"q": "logarithmic scaling", "file": "gnuplot.pdf", "pages": [167]}',
      '',
      '{"q": "no pages", "file": "a.pdf"}',
      'nonsense',
      '{"q": "", "file": "a.pdf", "pages": [1]}',
      '{"q": "page zero", "file": "a.pdf", "pages": [0]}',
      '{"q": "two pages", "file": "dir/b.pdf", "pages": [3, 4]}',
    ].join('\n');
    const { questions, bad } = parseEvalSet(text, 'qa.jsonl');
    expect(questions.map((q) => [q.q, q.line])).toEqual([
      ['logarithmic scaling', 1],
      ['two pages', 7],
    ]);
    expect(bad.map((b) => `${b.file}:${b.line}`)).toEqual(['qa.jsonl:3', 'qa.jsonl:4', 'qa.jsonl:5', 'qa.jsonl:6']);
    expect(bad[1]!.reason).toBe('not valid JSON');
    expect(bad[0]!.reason).toMatch(/^pages: /);
  });

  test('a hit is right when the file name matches and the page it cites is one of the pages', () => {
    const question = { file: 'gnuplot.pdf', pages: [167, 168] };
    expect(isRightHit({ path: '/docs/gnuplot.pdf', page: 168 }, question)).toBe(true);
    expect(isRightHit({ path: '/docs/gnuplot.pdf', page: 166 }, question)).toBe(false);
    expect(isRightHit({ path: '/docs/other-gnuplot.pdf', page: 167 }, question)).toBe(false);
    expect(isRightHit({ path: '/docs/gnuplot.pdf', page: null }, question)).toBe(false);
    expect(isRightHit({ path: '/docs/v5/gnuplot.pdf', page: 167 }, { file: 'v5/gnuplot.pdf', pages: [167] })).toBe(true);
    expect(isRightHit({ path: '/docs/v4/gnuplot.pdf', page: 167 }, { file: 'v5/gnuplot.pdf', pages: [167] })).toBe(false);
  });
});

describe('scoring', () => {
  test('hit@1, hit@3, hit@10 and MRR count the rank of the first right hit; a mode that falls back is skipped with its notice', async () => {
    const questions = parseEvalSet(
      [
        '{"q": "first", "file": "a.pdf", "pages": [1]}',
        '{"q": "third", "file": "a.pdf", "pages": [3]}',
        '{"q": "fifth", "file": "a.pdf", "pages": [5]}',
        '{"q": "missing", "file": "a.pdf", "pages": [99]}',
      ].join('\n'),
      'qa.jsonl',
    ).questions;
    const ranked = Array.from({ length: 10 }, (_, i) => hit('/d/a.pdf', i + 1));
    const search = async (_q: string, mode: SearchMode) =>
      mode === 'keyword' ? { mode, hits: ranked, notice: null } : { mode: 'keyword' as const, hits: ranked, notice: 'No embedding model is installed' };
    const [keyword, semantic] = await runSearchEval(questions, { modes: ['keyword', 'semantic'], k: 10, search });
    expect(keyword).toMatchObject({ questions: 4, hitAt1: 1, hitAt3: 2, hitAt10: 3, skipped: null });
    expect(keyword!.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 5) / 4, 6);
    expect(keyword!.misses.map((m) => [m.q, m.rank])).toEqual([
      ['fifth', 5],
      ['missing', null],
    ]);
    expect(semantic).toMatchObject({ skipped: 'No embedding model is installed', questions: 0 });
    const report = formatEvalReport([keyword!, semantic!], [{ file: 'qa.jsonl', line: 9, reason: 'not valid JSON' }]);
    expect(report).toContain('qa.jsonl:9: skipped: not valid JSON');
    expect(report).toMatch(/^keyword +1\/4 \(25%\) +2\/4 \(50%\) +3\/4 \(75%\) +0\.383$/m);
    expect(report).toMatch(/^semantic +skipped: No embedding model is installed$/m);
    expect(report).toContain('"missing" → a.pdf p.99: not found; got a.pdf p.1, a.pdf p.2, a.pdf p.3');
  });
});

describe('reranking', () => {
  test('the top candidates are reordered by the ranking score and cut to k; the rest keep their order after them', async () => {
    const hits = Array.from({ length: RERANK_CANDIDATES + 5 }, (_, i) => hit('/d/a.pdf', i + 1, `chunk ${i + 1}`));
    const seen: string[][] = [];
    const rank = async (_query: string, documents: readonly string[]) => {
      seen.push([...documents]);
      return documents.map((d) => (d === 'chunk 7' ? 0.9 : d === 'chunk 2' ? 0.8 : 0.1));
    };
    const out = await rerankHits(hits, 'q', rank, 4);
    expect(seen[0]).toHaveLength(RERANK_CANDIDATES);
    expect(out.map((h) => h.text)).toEqual(['chunk 7', 'chunk 2', 'chunk 1', 'chunk 3']);
    expect(out[0]!.score).toBe(0.9);
    await expect(rerankHits(hits, 'q', async () => [1, 2], 4)).rejects.toThrow(/2 scores for 30 documents/);
  });
});
