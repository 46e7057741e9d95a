import { z } from 'zod';
import { GraderSchema, LabTaskSchema, type Grader, type LabTask } from '../../../shared/ipc/routes/lab';
import { graderProblem } from './graders';

/** A line of a task set file that was left out, and why (1-based line number). */
export interface SkippedLine {
  line: number;
  message: string;
}

/** Bare grader names that need no options. */
const BARE_GRADERS = ['exact', 'contains', 'number'] as const;

/** A line as written: like a task, but the id is optional and the grader may be a bare name or absent. */
const LineSchema = LabTaskSchema.extend({
  id: LabTaskSchema.shape.id.optional(),
  grader: z.unknown().optional(),
});

/**
 * Parses a task set's JSONL, one task per line. A line without a grader is
 * graded `contains` when it has a reference and skipped when it has none; a
 * bare grader name ("exact") means that grader's defaults. Bad lines (JSON,
 * schema, regex, a duplicate id) are reported by number and skipped; blank
 * lines are ignored. Tasks without an id get `task-N` (N counts tasks, skipping
 * ids already taken).
 */
export function parseTaskSetJsonl(jsonl: string): { tasks: LabTask[]; skipped: SkippedLine[] } {
  const skipped: SkippedLine[] = [];
  const parsed: { line: number; task: Omit<LabTask, 'id'> & { id?: string } }[] = [];
  const lines = jsonl.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = index === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      skipped.push({ line, message: `not JSON: ${(error as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      skipped.push({ line, message: 'a task is a JSON object with at least a "prompt"' });
      return;
    }
    const result = LineSchema.safeParse(value);
    if (!result.success) {
      skipped.push({ line, message: issueText(result.error) });
      return;
    }
    const { grader: rawGrader, ...rest } = result.data;
    const grader = graderOf(rawGrader, rest.reference);
    if (typeof grader === 'string') {
      skipped.push({ line, message: grader });
      return;
    }
    const problem = graderProblem(grader, rest.reference);
    if (problem) {
      skipped.push({ line, message: problem });
      return;
    }
    parsed.push({ line, task: { ...rest, grader } });
  });

  const tasks: LabTask[] = [];
  const explicit = new Set(parsed.flatMap((p) => (p.task.id === undefined ? [] : [p.task.id])));
  const taken = new Set<string>();
  let counter = 0;
  for (const { line, task } of parsed) {
    counter += 1;
    let id = task.id;
    if (id === undefined) {
      let n = counter;
      while (explicit.has(`task-${n}`) || taken.has(`task-${n}`)) n += 1;
      id = `task-${n}`;
    } else if (taken.has(id)) {
      skipped.push({ line, message: `the id "${id}" is used by an earlier task; ids must be unique` });
      continue;
    }
    taken.add(id);
    tasks.push(LabTaskSchema.parse({ ...task, id }));
  }
  skipped.sort((a, b) => a.line - b.line);
  return { tasks, skipped };
}

/** A grader from what a line says, or why it cannot be one. */
function graderOf(value: unknown, reference: string | undefined): Grader | string {
  if (value === undefined || value === null) {
    return reference === undefined ? 'no grader and no reference: nothing to score the answer against' : { type: 'contains' };
  }
  if (typeof value === 'string') {
    if ((BARE_GRADERS as readonly string[]).includes(value)) return { type: value } as Grader;
    const known = GraderSchema.options.map((o) => o.shape.type.value) as string[];
    return known.includes(value)
      ? `the ${value} grader needs options: write it as an object, e.g. ${example(value)}`
      : `unknown grader "${value}" (one of ${known.join(', ')})`;
  }
  const result = GraderSchema.safeParse(value);
  return result.success ? result.data : `grader: ${issueText(result.error)}`;
}

function example(type: string): string {
  if (type === 'regex') return '{"type": "regex", "pattern": "^yes"}';
  if (type === 'json-schema') return '{"type": "json-schema", "schema": {"type": "object"}}';
  return '{"type": "judge", "rubric": "Correct and concise"}';
}

function issueText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** A task set as JSONL (one task per line, ending with a newline): what import reads back to the same tasks. */
export function formatTaskSetJsonl(tasks: readonly LabTask[]): string {
  return tasks.map((task) => `${JSON.stringify(orderedTask(task))}\n`).join('');
}

/** Keys in a reading order: id and prompt first. */
function orderedTask(task: LabTask): Record<string, unknown> {
  const { id, prompt, reference, grader, systemPrompt, maxTokens, tag } = task;
  const out: Record<string, unknown> = { id, prompt };
  if (reference !== undefined) out.reference = reference;
  out.grader = grader;
  if (systemPrompt !== undefined) out.systemPrompt = systemPrompt;
  if (maxTokens !== undefined) out.maxTokens = maxTokens;
  if (tag !== undefined) out.tag = tag;
  return out;
}
