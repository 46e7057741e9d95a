import { basename } from 'node:path';
import { z } from 'zod';
import type { SearchHit, SearchMode } from '../../../shared/ipc/routes/documents';

/** One line of a QA set: a question, the file that answers it and the page(s) the answer is on. */
export interface EvalQuestion {
  q: string;
  file: string;
  pages: number[];
  /** 1-based line of the QA file. */
  line: number;
}

/** A line of the QA set that was skipped, as FILE:LINE and why. */
export interface EvalBadLine {
  file: string;
  line: number;
  reason: string;
}

const QuestionLineSchema = z.object({
  q: z.string().trim().min(1),
  file: z.string().trim().min(1),
  pages: z.array(z.number().int().positive()).min(1),
});

/** Parses a JSONL QA set (`{"q", "file", "pages"}` per line); blank lines are ignored, bad ones reported. */
export function parseEvalSet(text: string, fileName: string): { questions: EvalQuestion[]; bad: EvalBadLine[] } {
  const questions: EvalQuestion[] = [];
  const bad: EvalBadLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      bad.push({ file: fileName, line, reason: 'not valid JSON' });
      return;
    }
    const parsed = QuestionLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      bad.push({ file: fileName, line, reason: `${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'} (want {"q": "...", "file": "NAME.pdf", "pages": [12]})` });
      return;
    }
    questions.push({ ...parsed.data, line });
  });
  return { questions, bad };
}

export interface EvalMiss {
  q: string;
  file: string;
  pages: number[];
  /** 1-based rank of the first right hit within the results, null when none. */
  rank: number | null;
  /** What came first instead (file name and page), best first. */
  top: { file: string; page: number | null }[];
}

export interface EvalModeResult {
  mode: SearchMode;
  /** Why the mode did not run (no embedding model...); the counts are then 0. */
  skipped: string | null;
  questions: number;
  hitAt1: number;
  hitAt3: number;
  hitAt10: number;
  /** Mean reciprocal rank over the top k (0 for a question with no right hit there). */
  mrr: number;
  /** Questions whose right page was not in the top 3. */
  misses: EvalMiss[];
}

export interface EvalOptions {
  modes: readonly SearchMode[];
  /** Results read per question (at least 10 are read for hit@10; MRR counts the top k). */
  k: number;
  search: (query: string, mode: SearchMode, k: number) => Promise<{ mode: SearchMode; hits: SearchHit[]; notice: string | null }>;
  /** Called after each question (progress). */
  onQuestion?: (mode: SearchMode, done: number, total: number) => void;
}

/** A hit answers a question when its file name matches and the page it cites is one of the question's pages. */
export function isRightHit(hit: Pick<SearchHit, 'path' | 'page'>, question: Pick<EvalQuestion, 'file' | 'pages'>): boolean {
  return sameFile(hit.path, question.file) && hit.page !== null && question.pages.includes(hit.page);
}

function sameFile(path: string, file: string): boolean {
  const normalized = path.replaceAll('\\', '/');
  const wanted = file.replaceAll('\\', '/');
  return wanted.includes('/') ? normalized.endsWith(`/${wanted.replace(/^\/+/, '')}`) || normalized === wanted : basename(normalized) === wanted;
}

/**
 * Runs every question in every mode and scores hit@1, hit@3, hit@10 and MRR.
 * A mode the collections cannot run (semantic or hybrid without vectors: the
 * search answers in another mode) is reported as skipped with the reason.
 */
export async function runSearchEval(questions: readonly EvalQuestion[], options: EvalOptions): Promise<EvalModeResult[]> {
  const results: EvalModeResult[] = [];
  const depth = Math.max(10, options.k);
  for (const mode of options.modes) {
    const result: EvalModeResult = { mode, skipped: null, questions: questions.length, hitAt1: 0, hitAt3: 0, hitAt10: 0, mrr: 0, misses: [] };
    let reciprocal = 0;
    for (const [i, question] of questions.entries()) {
      const outcome = await options.search(question.q, mode, depth);
      if (outcome.mode !== mode) {
        Object.assign(result, { skipped: outcome.notice ?? `${mode} search is not available for this collection`, questions: 0, misses: [] });
        break;
      }
      const at = outcome.hits.findIndex((hit) => isRightHit(hit, question));
      const rank = at >= 0 ? at + 1 : null;
      if (rank !== null) {
        if (rank <= 1) result.hitAt1++;
        if (rank <= 3) result.hitAt3++;
        if (rank <= 10) result.hitAt10++;
        if (rank <= options.k) reciprocal += 1 / rank;
      }
      if (rank === null || rank > 3) {
        result.misses.push({ q: question.q, file: question.file, pages: question.pages, rank, top: outcome.hits.slice(0, 3).map((h) => ({ file: basename(h.path), page: h.page })) });
      }
      options.onQuestion?.(mode, i + 1, questions.length);
    }
    result.mrr = result.questions > 0 ? reciprocal / result.questions : 0;
    results.push(result);
  }
  return results;
}

/** The results as the CLI prints them: one row per mode, then the misses. */
export function formatEvalReport(results: readonly EvalModeResult[], bad: readonly EvalBadLine[]): string {
  const lines: string[] = [];
  for (const b of bad) lines.push(`${b.file}:${b.line}: skipped: ${b.reason}`);
  if (bad.length > 0) lines.push('');
  const pct = (n: number, of: number) => `${n}/${of} (${of > 0 ? Math.round((100 * n) / of) : 0}%)`.padEnd(13);
  lines.push(`${'mode'.padEnd(10)}${'hit@1'.padEnd(13)}${'hit@3'.padEnd(13)}${'hit@10'.padEnd(13)}MRR`);
  for (const r of results) {
    if (r.skipped) lines.push(`${r.mode.padEnd(10)}skipped: ${r.skipped}`);
    else lines.push(`${r.mode.padEnd(10)}${pct(r.hitAt1, r.questions)}${pct(r.hitAt3, r.questions)}${pct(r.hitAt10, r.questions)}${r.mrr.toFixed(3)}`);
  }
  for (const r of results) {
    if (r.skipped || r.misses.length === 0) continue;
    lines.push('', `Misses (${r.mode}, right page not in the top 3): ${r.misses.length}`);
    for (const m of r.misses) {
      const got = m.top.map((t) => `${t.file}${t.page ? ` p.${t.page}` : ''}`).join(', ') || 'no results';
      lines.push(`  "${m.q}" → ${m.file} p.${m.pages.join('/')}: ${m.rank ? `rank ${m.rank}` : 'not found'}; got ${got}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
