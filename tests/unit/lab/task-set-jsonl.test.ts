import { describe, expect, test } from 'vitest';
import { formatTaskSetJsonl, parseTaskSetJsonl } from '../../../electron/core/lab/task-set-jsonl';
import { csvCell, runToCsv } from '../../../electron/core/lab/results-export';
import { median, summariseModels } from '../../../electron/core/lab/lab-summary';
import type { LabRun, LabTaskResult } from '../../../shared/ipc/routes/lab';

const lines = (...values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');

describe('parseTaskSetJsonl', () => {
  test('tasks with every grader form; defaults for id and grader', () => {
    const { tasks, skipped } = parseTaskSetJsonl(
      lines(
        { prompt: 'Capital of France?', reference: 'Paris' },
        { prompt: 'Say yes', grader: { type: 'regex', pattern: '^yes', flags: 'i' } },
        { id: 'sum', prompt: '2+2?', reference: '4', grader: 'number', tag: 'math', maxTokens: 16, systemPrompt: 'Be terse.' },
        { prompt: 'A person as JSON', grader: { type: 'json-schema', schema: { type: 'object' } } },
        { prompt: 'Exact', reference: 'x', grader: 'exact', unknownField: true },
      ),
    );
    expect(skipped).toEqual([]);
    expect(tasks.map((t) => [t.id, t.grader.type])).toEqual([
      ['task-1', 'contains'],
      ['task-2', 'regex'],
      ['sum', 'number'],
      ['task-4', 'json-schema'],
      ['task-5', 'exact'],
    ]);
    expect(tasks[2]).toEqual({ id: 'sum', prompt: '2+2?', reference: '4', grader: { type: 'number' }, tag: 'math', maxTokens: 16, systemPrompt: 'Be terse.' });
    expect(tasks[4]).not.toHaveProperty('unknownField');
  });

  test('bad lines are skipped with their line number and why; blank lines are ignored', () => {
    const { tasks, skipped } = parseTaskSetJsonl(
      lines(
        { prompt: 'ok', reference: 'a' },
        '',
        '{"prompt": "broken',
        { prompt: 'no way to score it' },
        { prompt: 'bad regex', grader: { type: 'regex', pattern: '(' } },
        { prompt: 'bare regex', grader: 'regex' },
        { prompt: 'unknown', grader: 'fuzzy' },
        { reference: 'no prompt' },
        { prompt: 'exact without reference', grader: 'exact' },
        '[1,2]',
        { prompt: 'bad tag', reference: 'a', tag: 'poetry' },
        { prompt: 'bad schema', grader: { type: 'json-schema', schema: { type: 12 } } },
      ),
    );
    expect(tasks).toHaveLength(1);
    expect(skipped.map((s) => s.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const why = Object.fromEntries(skipped.map((s) => [s.line, s.message]));
    expect(why[3]).toMatch(/not JSON/);
    expect(why[4]).toMatch(/no grader and no reference/);
    expect(why[5]).toMatch(/invalid regex/);
    expect(why[6]).toMatch(/needs options/);
    expect(why[7]).toMatch(/unknown grader "fuzzy"/);
    expect(why[8]).toMatch(/prompt/);
    expect(why[9]).toMatch(/needs a reference/);
    expect(why[12]).toMatch(/invalid JSON schema/);
  });

  test('ids are unique: a repeated id is skipped, defaults step around ids that are taken', () => {
    const { tasks, skipped } = parseTaskSetJsonl(
      lines({ prompt: 'a', reference: 'a' }, { id: 'task-2', prompt: 'b', reference: 'b' }, { prompt: 'c', reference: 'c' }, { id: 'task-2', prompt: 'd', reference: 'd' }),
    );
    expect(tasks.map((t) => t.id)).toEqual(['task-1', 'task-2', 'task-3']);
    expect(skipped).toEqual([{ line: 4, message: expect.stringMatching(/"task-2" is used by an earlier task/) }]);
  });

  test('export round-trips: parsing the exported text gives the same tasks; a BOM and CRLF are fine', () => {
    const { tasks } = parseTaskSetJsonl(
      `\uFEFF${lines({ prompt: 'Capital, "of" France?\nOne word.', reference: 'Paris' }, { id: 'j', prompt: 'Rate', grader: { type: 'judge', rubric: 'Kind', judgeModelId: 'm' } })}\r\n`,
    );
    expect(tasks).toHaveLength(2);
    const exported = formatTaskSetJsonl(tasks);
    expect(exported.trim().split('\n')).toHaveLength(2);
    expect(parseTaskSetJsonl(exported)).toEqual({ tasks, skipped: [] });
  });
});

const result = (over: Partial<LabTaskResult>): LabTaskResult => ({
  modelId: 'm',
  taskId: 't',
  run: 1,
  score: 1,
  answer: 'a',
  ttftMs: 10,
  tokensPerSecond: 100,
  totalMs: 50,
  inputTokens: 5,
  outputTokens: 6,
  costUsd: 0,
  error: null,
  ...over,
});

describe('summariseModels', () => {
  test('quality counts failed calls as 0; medians skip calls without text; errors and cost add up', () => {
    const results = [
      result({ modelId: 'a', score: 1, ttftMs: 10, tokensPerSecond: 100, costUsd: 0.01 }),
      result({ modelId: 'a', score: 0.5, ttftMs: 30, tokensPerSecond: 300, costUsd: 0.02 }),
      result({ modelId: 'a', score: null, ttftMs: null, tokensPerSecond: null, costUsd: null, error: { code: 'SERVER', message: 'x' } }),
      result({ modelId: 'b', score: null, error: { code: 'SERVER', message: 'x' }, ttftMs: null, tokensPerSecond: null }),
    ];
    const [a, b, c] = summariseModels(['a', 'b', 'c'], results, (m) => (m === 'a' ? 'cloud' : 'local'), (m) => (m === 'b' ? 1234 : null));
    expect(a).toMatchObject({ kind: 'cloud', quality: 0.5, ttftMs: 20, tokensPerSecond: 200, totalMs: 150, calls: 3, errors: 1, peakMemoryBytes: null });
    expect(a!.costUsd).toBeCloseTo(0.03);
    expect(b).toMatchObject({ kind: 'local', quality: 0, ttftMs: null, calls: 1, errors: 1, peakMemoryBytes: 1234 });
    expect(c).toMatchObject({ quality: 0, calls: 0, errors: 0 });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNull();
  });
});

describe('CSV export', () => {
  test('cells are quoted when they hold commas, quotes or line breaks; formulas are defused', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(null)).toBe('');
  });

  test('a header row, then one row per result', () => {
    const run: LabRun = {
      id: 'r',
      setId: 's',
      setName: 'set',
      modelIds: ['m'],
      runs: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: null,
      status: 'done',
      models: [],
      results: [result({ answer: 'Paris, "France"\nyes' }), result({ taskId: 'u', error: { code: 'SERVER', message: 'boom' }, score: null })],
    };
    const csv = runToCsv(run);
    const rows = csv.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe('model,task,run,score,ttft_ms,tokens_per_second,total_ms,input_tokens,output_tokens,cost_usd,error_code,error,note,answer');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toBe('m,t,1,1,10,100,50,5,6,0,,,,"Paris, ""France""\nyes"');
    expect(rows[2]).toBe('m,u,1,,10,100,50,5,6,0,SERVER,boom,,a');
  });
});
