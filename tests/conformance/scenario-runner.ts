import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../support/paths';

/** The conformance package's CLI (`conformance list`, `conformance client …`). */
export const conformanceCli = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

const clientEntry = join(repoRoot, 'electron', 'core', 'mcp', 'conformance-client.ts');

/**
 * The client under test, as the CLI runs it: it appends the scenario server's URL
 * and sets MCP_CONFORMANCE_SCENARIO. The CLI splits this on spaces, so no quoting.
 */
export const tandemClientCommand = `${process.execPath} ${join(repoRoot, 'bin', 'run-ts.mjs')} ${clientEntry}`;

/**
 * The same client bundled once into `outDir` (esbuild, the compiler tsx runs on):
 * each scenario then starts plain Node, about 0.3 s of CPU instead of 1 s through tsx.
 */
export async function bundleTandemClient(outDir: string): Promise<string> {
  const outfile = join(outDir, 'conformance-client.mjs');
  await build({
    entryPoints: [clientEntry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
    // CommonJS dependencies inside an ES module bundle still call require.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return `${process.execPath} ${outfile}`;
}

export interface ConformanceCheck {
  id: string;
  name: string;
  description: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  errorMessage?: string;
}

export interface ScenarioResult {
  scenario: string;
  /** The CLI's own rule: no FAILURE and no WARNING check (and at least one check was recorded). */
  passed: boolean;
  /** `id: message` of each FAILURE/WARNING check, or why there were no checks. */
  problems: string[];
  /** Failed only through WARNING checks (e.g. a reconnect that came late, not wrong). */
  warningsOnly: boolean;
  checks: ConformanceCheck[];
  durationMs: number;
  /** The CLI's stdout+stderr (which include the client's output when it exited non-zero). */
  output: string;
}

/** Runs `node ARGS` in the repo root; SIGKILL after `timeoutMs`. */
export function runNode(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Client scenario names from `conformance list`, so scenarios added by a package update run too. */
export async function listClientScenarios(): Promise<string[]> {
  const { code, output } = await runNode([conformanceCli, 'list'], 30_000);
  if (code !== 0) throw new Error(`conformance list failed (${code}):\n${output}`);
  const clientPart = output.split(/^Client scenarios.*$/m)[1];
  if (!clientPart) throw new Error(`conformance list printed no client scenarios:\n${output}`);
  return [...clientPart.matchAll(/^\s*-\s+(\S+)/gm)].map((match) => match[1]!);
}

async function findFiles(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name === name).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Runs one client scenario through the conformance CLI (which starts the
 * scenario's server and then `command <url>`), and reads its checks.json.
 */
export async function runScenario(
  scenario: string,
  options: { outputDir: string; command?: string; clientTimeoutMs?: number },
): Promise<ScenarioResult> {
  const clientTimeoutMs = options.clientTimeoutMs ?? 20_000;
  const started = performance.now();
  const { output } = await runNode(
    [
      conformanceCli,
      'client',
      '--command',
      options.command ?? tandemClientCommand,
      '--scenario',
      scenario,
      '--timeout',
      String(clientTimeoutMs),
      '-o',
      options.outputDir,
    ],
    clientTimeoutMs + 20_000,
  );
  const durationMs = performance.now() - started;
  const files = await findFiles(options.outputDir, 'checks.json').catch(() => []);
  if (files.length !== 1) {
    return { scenario, passed: false, problems: [`expected one checks.json, found ${files.length}`], warningsOnly: false, checks: [], durationMs, output };
  }
  const checks = JSON.parse(await readFile(files[0]!, 'utf8')) as ConformanceCheck[];
  const problems = checks
    .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
    .map((check) => `${check.id} (${check.status}): ${check.errorMessage ?? check.description}`);
  if (checks.length === 0) problems.push('the scenario recorded no checks');
  const warningsOnly = checks.length > 0 && !checks.some((check) => check.status === 'FAILURE');
  return { scenario, passed: problems.length === 0, problems, warningsOnly, checks, durationMs, output };
}

/** Runs `items` through `worker`, at most `limit` at a time, keeping order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** The scenario's name as a folder-safe string (auth/basic-cimd → auth_basic-cimd). */
export const scenarioSlug = (scenario: string) => scenario.replace(/[^A-Za-z0-9._-]/g, '_');
