import { readFileSync } from 'node:fs';
import { parseOutcomeLines } from '../electron/core/routing/outcome-file';
import { evaluateRouter } from '../electron/core/routing/route-eval';
const dir = '/work/shared/routing/';
const opts = JSON.parse(process.argv[2] ?? '{}');
for (const task of ['arc_challenge', 'mbpp', 'winograde']) {
  const train = parseOutcomeLines(readFileSync(dir + task + '_train.jsonl', 'utf8')).lines.map((l) => l.outcome);
  const test = parseOutcomeLines(readFileSync(dir + task + '_test.jsonl', 'utf8')).lines.map((l) => l.outcome);
  const r = evaluateRouter(train, test, 'balanced', opts);
  const p = r.summary.pair;
  console.log(task.padEnd(14), 'APGR', p.apgr.toFixed(3), 'cpt50', p.strongShareFor50.toFixed(3), 'cpt80', p.strongShareFor80.toFixed(3), p.weak, '->', p.strong, r.summary.seconds.toFixed(2)+'s');
}
{
  const all = (s: string) => ['arc_challenge', 'mbpp', 'winograde'].flatMap((t) => parseOutcomeLines(readFileSync(dir + t + s, 'utf8')).lines.map((l) => l.outcome));
  const r = evaluateRouter(all('_train.jsonl'), all('_test.jsonl'), 'balanced', opts);
  const p = r.summary.pair;
  console.log('mixed'.padEnd(14), 'APGR', p.apgr.toFixed(3), 'cpt50', p.strongShareFor50.toFixed(3), 'cpt80', p.strongShareFor80.toFixed(3), p.weak, '->', p.strong, r.summary.seconds.toFixed(2)+'s');
  for (const [k, v] of Object.entries(r.summary.choices)) console.log('   ', k.padEnd(16), v.quality.toFixed(3), v.costUsd.toFixed(6));
}
