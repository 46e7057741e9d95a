import type { LabRun, LabTaskResult } from '../../../shared/ipc/routes/lab';
import { fileStem } from './task-set-store';

export interface ExportedFile {
  filename: string;
  mimeType: string;
  content: string;
}

const COLUMNS: [header: string, value: (r: LabTaskResult) => string | number | null][] = [
  ['model', (r) => r.modelId],
  ['task', (r) => r.taskId],
  ['run', (r) => r.run],
  ['score', (r) => r.score],
  ['ttft_ms', (r) => round(r.ttftMs)],
  ['tokens_per_second', (r) => round(r.tokensPerSecond)],
  ['total_ms', (r) => round(r.totalMs)],
  ['input_tokens', (r) => r.inputTokens],
  ['output_tokens', (r) => r.outputTokens],
  ['cost_usd', (r) => r.costUsd],
  ['error_code', (r) => r.error?.code ?? null],
  ['error', (r) => r.error?.message ?? null],
  ['note', (r) => r.note ?? null],
  ['answer', (r) => r.answer],
];

/** A run's results as CSV (RFC 4180: a header row, then one row per result; CRLF line ends). */
export function runToCsv(run: LabRun): string {
  const rows = [COLUMNS.map(([header]) => header), ...run.results.map((result) => COLUMNS.map(([, value]) => csvCell(value(result))))];
  return rows.map((row) => `${row.join(',')}\r\n`).join('');
}

/**
 * One CSV field: quoted when it holds a comma, quote or line break (quotes
 * doubled). Text that a spreadsheet would run as a formula (=, +, -, @ first)
 * gets a leading apostrophe; numbers stay numbers.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function exportRun(run: LabRun, format: 'csv' | 'json'): ExportedFile {
  const stem = `lab-${fileStem(run.setName)}-${run.startedAt.slice(0, 19).replace(/[T:]/g, '-')}`;
  return format === 'csv'
    ? { filename: `${stem}.csv`, mimeType: 'text/csv', content: runToCsv(run) }
    : { filename: `${stem}.json`, mimeType: 'application/json', content: `${JSON.stringify(run, null, 2)}\n` };
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
