#!/usr/bin/env node
// `npm run audit:electron`: Doyensec's Electronegativity over Tandem's Electron surface (electron/main,
// electron/preload, the renderer's index.html, package.json), scanned together in one temp copy (its
// global checks, e.g. navigation limits, must see the main process and the window in one run; core
// never imports electron). Fails on any HIGH finding; prints the others. Uses the programmatic runner: the package's CLI cannot read its options
// with the commander version npm hoists here, and it needs LANG set to a locale it ships.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
process.env.LANG = 'en-US';
const run = require('@doyensec/electronegativity/dist/runner.js');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;

const SCANNED = ['electron/main', 'electron/preload', 'renderer/index.html', 'package.json'];
const scanDir = mkdtempSync(join(tmpdir(), 'tandem-electronegativity-'));
for (const path of SCANNED) cpSync(join(root, path), join(scanDir, path), { recursive: true });

// The runner logs a line when it cannot fetch translations (offline); keep the output to the findings.
/* eslint-disable no-console -- silencing the runner's own console.log, then restoring it */
const log = console.log;
console.log = () => {};
const findings = [];
const parseErrors = [];
try {
  const result = await run({ input: scanDir, customScan: [], excludeFromScan: [], isRelative: false, electronVersionOverride: electronVersion, parserPlugins: [] }, false);
  findings.push(...result.issues);
  parseErrors.push(...result.errors.filter((e) => !e.tolerable));
} finally {
  console.log = log;
  rmSync(scanDir, { recursive: true, force: true });
}
/* eslint-enable no-console */

const seen = new Set();
const rows = [];
for (const issue of findings) {
  const file = issue.file === 'N/A' ? 'N/A' : relative(scanDir, issue.file);
  const key = `${issue.id} ${file} ${issue.location?.line}:${issue.location?.column}`;
  if (seen.has(key)) continue;
  seen.add(key);
  rows.push({ id: issue.id, severity: issue.severity.name, confidence: issue.confidence.name, review: issue.manualReview === true, where: `${file}:${issue.location?.line ?? 0}` });
}
const order = { HIGH: 0, MEDIUM: 1, LOW: 2, INFORMATIONAL: 3 };
rows.sort((a, b) => order[a.severity] - order[b.severity] || a.id.localeCompare(b.id));
for (const row of rows) process.stdout.write(`${row.severity.padEnd(13)} ${row.confidence.padEnd(10)} ${row.id}${row.review ? ' (review)' : ''}  ${row.where}\n`);
for (const error of parseErrors) process.stdout.write(`could not parse ${relative(scanDir, error.file)}: ${error.message}\n`);
const high = rows.filter((r) => r.severity === 'HIGH');
const counts = Object.keys(order).map((level) => `${rows.filter((r) => r.severity === level).length} ${level.toLowerCase()}`);
process.stdout.write(`Electronegativity (Electron ${electronVersion}; ${SCANNED.join(', ')}): ${counts.join(', ')}\n`);
if (high.length) {
  process.stderr.write(`audit:electron: ${high.length} HIGH finding(s); fix them (docs/security.md lists what each check means).\n`);
  process.exit(1);
}
