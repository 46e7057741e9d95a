import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LabEstimate, LabModelSummary, LabRunSummary, LabTaskResult } from '../../../shared/ipc/routes/lab';
import { formatUsd } from '../routing/spend-ledger';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface LabCommandOptions {
  models?: string;
  runs?: string;
  parallel?: string;
  json: boolean;
  /** Long option names given on the command line (to refuse those meant for other commands). */
  optionNames: string[];
}

const LAB_OPTIONS = new Set(['models', 'runs', 'parallel', 'json', 'data-dir', 'models-dir', 'help']);
const USAGE = 'tandem lab run SET.jsonl --models A,B [--runs N] [--parallel N] [--json]';

/** What `--json` prints per model. */
export interface LabCliModelRow {
  modelId: string;
  quality: number;
  ttftMs: number | null;
  tokensPerSecond: number | null;
  costUsd: number;
  /** Calls to a cloud model whose price is unknown (not in costUsd). */
  unpricedCalls: number;
  errors: number;
  calls: number;
  totalMs: number;
  peakMemoryBytes: number | null;
}

/**
 * `tandem lab run SET.jsonl --models A,B [--runs N] [--parallel N] [--json]`:
 * imports the file as a task set (or reuses the one imported from the same
 * content), prints the estimate and a line per result on stderr, and the
 * results per model on stdout (a table, or JSON). Ctrl-C stops the run and
 * still prints what finished (exit 130). Calls that fail are results, not a
 * failed command: exit 0 when the run completes.
 */
export async function runLab(global: GlobalOptions, args: string[], options: LabCommandOptions): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'run') return usage(sub ? `unknown lab command "${sub}"` : 'give a command');
  const unknown = options.optionNames.filter((name) => !LAB_OPTIONS.has(name));
  if (unknown.length > 0) return usage(`--${unknown[0]} is not an option of lab run`);
  if (rest.length !== 1) return usage(rest.length === 0 ? 'give a task set file (JSONL, one task per line)' : 'give one task set file');
  const modelIds = (options.models ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (modelIds.length === 0) return usage('--models A,B is required (model ids: local ones from your models folders, PROVIDER/MODEL for cloud ones, or auto)');
  if (modelIds.length > 8) return usage('--models takes at most 8 models');
  const runs = wholeNumber(options.runs, 1, 20);
  if (runs === null) return usage('--runs must be a whole number from 1 to 20');
  const parallel = wholeNumber(options.parallel, 1, 16);
  if (parallel === null) return usage('--parallel must be a whole number from 1 to 16');

  const file = rest[0]!;
  let jsonl: string;
  try {
    jsonl = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(`tandem lab run: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}\n`);
    return 1;
  }

  return withCliCore(global, 'lab run', async (core) => {
    const name = basename(file);
    const { set, skipped, reused } = await core.lab.importOrReuseSet(name, jsonl);
    for (const s of skipped) process.stderr.write(`tandem lab run: ${file}:${s.line}: ${s.message}; skipped\n`);
    process.stderr.write(`Task set "${set.name}": ${plural(set.taskCount, 'task')} (${reused ? 'imported before' : 'imported'})\n`);
    const request = { setId: set.id, modelIds, runs, parallel };
    process.stderr.write(formatEstimate(await core.lab.estimate(request)));

    const controller = new AbortController();
    const onSignal = () => {
      if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stop waiting
      process.stderr.write('\nStopping: the results so far are kept…\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const started = await core.lab.startRun(request);
      const { total } = started.info;
      let done = 0;
      const summary = await started.run((part) => {
        if (part.type !== 'result') return;
        done += 1;
        process.stderr.write(`${formatResultLine(part.result, done, total)}\n`);
      }, controller.signal);
      process.stdout.write(options.json ? `${JSON.stringify(summary.models.map(cliRow), null, 2)}\n` : formatTable(summary));
      process.stderr.write(`${summary.status === 'cancelled' ? 'Stopped' : 'Done'}: run ${summary.id} (${done} of ${plural(total, 'call')})\n`);
      return summary.status === 'cancelled' ? 130 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

export function cliRow(model: LabModelSummary): LabCliModelRow {
  return {
    modelId: model.modelId,
    quality: model.quality,
    ttftMs: model.ttftMs,
    tokensPerSecond: model.tokensPerSecond,
    costUsd: model.costUsd,
    unpricedCalls: model.unpricedCalls,
    errors: model.errors,
    calls: model.calls,
    totalMs: model.totalMs,
    peakMemoryBytes: model.peakMemoryBytes,
  };
}

/** `[3/8] model · task  score 1.00  120 ms` (or the error instead of the score). */
export function formatResultLine(result: LabTaskResult, done: number, total: number): string {
  const what = `[${done}/${total}] ${result.modelId} · ${result.taskId}${result.run > 1 ? ` (run ${result.run})` : ''}`;
  const outcome = result.score !== null ? `score ${result.score.toFixed(2)}` : `error ${result.error?.code ?? 'INTERNAL'}: ${result.error?.message ?? 'failed'}`;
  return `${what}  ${outcome}  ${Math.round(result.totalMs)} ms`;
}

export function formatEstimate(estimate: LabEstimate): string {
  const parts = estimate.perModel.map((m) =>
    m.estimatedCostUsd === null ? `${m.modelId} price unknown` : m.estimatedCostUsd === 0 ? `${m.modelId} free` : `${m.modelId} ${formatUsd(m.estimatedCostUsd)}`,
  );
  const unpriced = estimate.unpricedModelIds.length > 0 ? ` plus ${estimate.unpricedModelIds.join(', ')} at an unknown price` : '';
  return `Estimate: ${plural(estimate.calls, 'call')}, about ${formatUsd(estimate.estimatedCostUsd)}${unpriced} (${parts.join('; ')})\n`;
}

/** The results table of `tandem lab run`. */
export function formatTable(run: LabRunSummary): string {
  const header = ['MODEL', 'QUALITY', 'TTFT', 'TOKENS/S', 'TOTAL', 'PEAK MEMORY', 'COST', 'CALLS', 'ERRORS'];
  const rows = run.models.map((m) => [
    m.modelId,
    m.quality.toFixed(2),
    m.ttftMs === null ? '–' : `${Math.round(m.ttftMs)} ms`,
    m.tokensPerSecond === null ? '–' : m.tokensPerSecond.toFixed(1),
    `${(m.totalMs / 1000).toFixed(1)} s`,
    m.peakMemoryBytes === null ? '–' : `${(m.peakMemoryBytes / 1024 / 1024).toFixed(1)} MiB`,
    m.unpricedCalls > 0 ? `${formatUsd(m.costUsd)} + ${m.unpricedCalls} unpriced` : formatUsd(m.costUsd),
    String(m.calls),
    String(m.errors),
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd());
  const title = `${run.setName}: ${plural(run.modelIds.length, 'model')} × ${plural(run.runs, 'run')}${run.status === 'cancelled' ? ' (stopped: what finished)' : ''}`;
  return `${title}\n${lines.join('\n')}\n`;
}

function wholeNumber(value: string | undefined, min: number, max: number): number | null | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return /^\d+$/.test(value.trim()) && Number.isInteger(n) && n >= min && n <= max ? n : null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function usage(message: string): number {
  process.stderr.write(`tandem lab: ${message}\nUsage: ${USAGE}\n`);
  return 2;
}
