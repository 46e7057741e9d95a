import { readFile } from 'node:fs/promises';
import { RoutingPrioritySchema, type RouteDecision, type RoutingPriority } from '../../../shared/ipc/routes/routing';
import { CodedError } from '../../../shared/ipc/errors';
import { parseOutcomeLines } from '../routing/outcome-file';
import { evaluateRouter, type RouteEvalResult } from '../routing/route-eval';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface RouteOptions {
  priority?: string;
  collection?: string;
  json: boolean;
  train?: string;
  test?: string;
}

/**
 * `tandem route "prompt"` (the decision, nothing sent), `tandem route learn
 * FILE.jsonl` and `tandem route eval --train A --test B` (in memory only).
 */
export async function runRoute(global: GlobalOptions, args: string[], options: RouteOptions): Promise<number> {
  let priority: RoutingPriority | undefined;
  if (options.priority !== undefined) {
    const parsed = RoutingPrioritySchema.safeParse(options.priority);
    if (!parsed.success) {
      process.stderr.write(`tandem route: --priority must be one of ${RoutingPrioritySchema.options.join(', ')}\n`);
      return 2;
    }
    priority = parsed.data;
  }
  const [sub, ...rest] = args;
  if (sub === 'eval') return runEval(options, priority);
  if (sub === 'learn') {
    if (rest.length !== 1) {
      process.stderr.write('tandem route learn: give one outcome file (JSONL: {"prompt", "outcomes": {MODEL: {"score"}}} per line)\n');
      return 2;
    }
    const text = await readFile(rest[0]!, 'utf8').catch((error: Error) => {
      process.stderr.write(`tandem route learn: cannot read ${rest[0]}: ${error.message}\n`);
      return null;
    });
    if (text === null) return 1;
    return withCliCore(global, 'route learn', async (core) => {
      const { learned, skipped } = core.routing.learn(text);
      for (const s of skipped) process.stderr.write(`tandem route learn: ${rest[0]}:${s.line}: ${s.message}; skipped\n`);
      process.stdout.write(`Learned ${learned} outcome line${learned === 1 ? '' : 's'}${skipped.length ? `; skipped ${skipped.length} malformed` : ''}.\n`);
      return 0;
    });
  }
  const prompt = args.join(' ');
  if (prompt.trim() === '') {
    process.stderr.write('tandem route: give a prompt, e.g. tandem route "Summarise this contract" (or route learn FILE, route eval --train A --test B)\n');
    return 2;
  }
  return withCliCore(global, 'route', async (core) => {
    let collectionIds: string[] = [];
    if (options.collection) {
      const record = core.documents.find(options.collection);
      if (!record) throw new CodedError('NOT_FOUND', `There is no collection named "${options.collection}"`);
      collectionIds = [record.id];
    }
    const localOnlyContent = core.documents.holdsLocalOnly(collectionIds);
    const decision = await core.routing.decideText(prompt, { chatId: null, priority, private: false, collectionIds, localOnlyContent });
    process.stdout.write(options.json ? `${JSON.stringify(decision, null, 2)}\n` : formatDecision(decision));
    return decision.chosenModelId ? 0 : 1;
  });
}

async function runEval(options: RouteOptions, priority: RoutingPriority | undefined): Promise<number> {
  if (!options.train || !options.test) {
    process.stderr.write('tandem route eval: give --train TRAIN.jsonl and --test TEST.jsonl\n');
    return 2;
  }
  const files: string[] = [];
  for (const path of [options.train, options.test]) {
    try {
      files.push(await readFile(path, 'utf8'));
    } catch (error) {
      process.stderr.write(`tandem route eval: cannot read ${path}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const [train, test] = files.map((text, i) => {
    const parsed = parseOutcomeLines(text);
    for (const s of parsed.skipped) process.stderr.write(`tandem route eval: ${[options.train, options.test][i]}:${s.line}: ${s.message}; skipped\n`);
    return parsed.lines.map((l) => l.outcome);
  }) as [never[], never[]];
  if (train.length === 0 || test.length === 0) {
    process.stderr.write('tandem route eval: both files need at least one valid line\n');
    return 1;
  }
  const result = evaluateRouter(train, test, priority ?? 'balanced');
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatEval(result));
  return 0;
}

function usd(value: number): string {
  return value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
}

function formatDecision(decision: RouteDecision): string {
  const lines = [
    decision.chosenModelId ? `Auto would send this to ${decision.chosenModelId} (${decision.priority}).` : 'Auto has no model for this request.',
    decision.reason,
    ...(decision.rule ? [`Pinned rule: ${decision.rule}`] : []),
    `Prompt: ${decision.features.promptTokens} tokens; answer up to ${decision.features.maxOutputTokens}${decision.features.localOnly ? '; local only' : ''}${decision.features.needsTools ? '; tools' : ''}${decision.features.looksLikeCode ? '; looks like code' : ''}`,
    '',
    'Candidates (best first):',
  ];
  for (const c of decision.candidates) {
    const speed = c.expectedTtftMs === null ? '' : ` · first token ~${c.expectedTtftMs} ms · ${c.expectedTokensPerSec ?? '?'} tok/s`;
    const head = `  ${c.excluded ? '✗' : '•'} ${c.modelId} (${c.kind})`;
    lines.push(
      c.excluded
        ? `${head} — excluded: ${c.excluded.reason}`
        : `${head} — quality ${Math.round(c.predictedQuality * 100)}% (${c.qualitySamples} outcomes) · ${usd(c.estimatedCostUsd)}${speed} · score ${c.score}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function formatEval(result: RouteEvalResult): string {
  const { summary } = result;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const lines = [
    `Trained on ${summary.trainPrompts} prompts, tested on ${summary.testPrompts}, ${result.models.length} models, in ${summary.seconds.toFixed(1)} s.`,
    '',
    `Pair: ${summary.pair.weak} (cheapest) → ${summary.pair.strong} (most accurate)`,
    `  APGR ${summary.pair.apgr.toFixed(3)} (random: 0.500)`,
    `  strong calls for 50% of the gap: ${pct(summary.pair.strongShareFor50)}; for 80%: ${pct(summary.pair.strongShareFor80)}`,
    `  quality always-weak ${pct(summary.pair.weakQuality)}, always-strong ${pct(summary.pair.strongQuality)}`,
    '',
    'Choices over all models (quality, mean cost per prompt):',
  ];
  for (const [name, choice] of Object.entries(summary.choices)) lines.push(`  ${name.padEnd(16)} ${pct(choice.quality).padStart(6)}  ${usd(choice.costUsd)}`);
  return `${lines.join('\n')}\n`;
}
