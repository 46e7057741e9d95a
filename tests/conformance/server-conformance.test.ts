/**
 * MCP server conformance: every server scenario of
 * @modelcontextprotocol/conformance (the list comes from `conformance list`,
 * so a package update adds its new scenarios here) runs against Tandem's MCP
 * server over streamable HTTP (electron/core/server/mcp/mcp-http.ts) on a
 * real core, two at a time, offline.
 *
 * The handler is mounted on a small node:http server of this test at
 * http://127.0.0.1:PORT/mcp with a fixed caller: in the app the API handler
 * checks the key first and then calls the same handler, but the conformance
 * CLI cannot send an API key, so the key check is left out here (it is
 * tested with the API). Host and Origin checks are the handler's own, so
 * dns-rebinding-protection runs against the real thing.
 *
 * tests/conformance/server-baseline.json names the scenarios known to fail,
 * each with the reason (mostly the reference "everything" server's test
 * tools, prompts and resources, which Tandem does not have). This fails when
 * a scenario outside the baseline fails, and when a baseline scenario passes.
 * Note: tools-call-simple-text and tools-call-error pass although Tandem has
 * no test_simple_text / test_error_handling tool: an unknown tool is an
 * isError result with text ("Tool … not found"), which is all those two
 * scenarios check. The scenarios that matter for Tandem are server-initialize,
 * logging-set-level, ping, tools-list, resources-list,
 * server-sse-multiple-streams and dns-rebinding-protection.
 *
 *   npx vitest run tests/conformance/server-conformance.test.ts
 *   TANDEM_CONFORMANCE_SCENARIOS=tools-list,ping npx vitest run tests/conformance/server-conformance.test.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { createMcpHttpHandler, type McpHttpHandler } from '../../electron/core/server/mcp/mcp-http';
import { allowedHosts } from '../../electron/core/server/security';
import { requireStoriesModel, sharedModelsDir } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { conformanceCli, mapLimited, runNode, scenarioSlug, type ConformanceCheck } from './scenario-runner';

interface Baseline {
  server: Record<string, string>;
}

interface ServerScenarioResult {
  scenario: string;
  passed: boolean;
  problems: string[];
  durationMs: number;
  output: string;
}

const dirs = new TempDirs();
const only = process.env.TANDEM_CONFORMANCE_SCENARIOS?.split(',').map((name) => name.trim()).filter(Boolean);
let allScenarios: string[] = [];
let baseline: Baseline;
let results: ServerScenarioResult[] = [];
let core: Core;
let handler: McpHttpHandler;
let http: Server;

/** Server scenario names from `conformance list`. */
async function listServerScenarios(): Promise<string[]> {
  const { code, output } = await runNode([conformanceCli, 'list'], 30_000);
  if (code !== 0) throw new Error(`conformance list failed (${code}):\n${output}`);
  const serverPart = output.split(/^Server scenarios.*$/m)[1]?.split(/^Client scenarios.*$/m)[0];
  if (!serverPart) throw new Error(`conformance list printed no server scenarios:\n${output}`);
  return [...serverPart.matchAll(/^\s*-\s+(\S+)/gm)].map((match) => match[1]!);
}

async function findFiles(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name === name).map((entry) => join(entry.parentPath, entry.name));
}

/** One server scenario through the conformance CLI against `url`; its checks.json decides (no FAILURE, no WARNING). */
async function runServerScenario(scenario: string, url: string, outputDir: string): Promise<ServerScenarioResult> {
  const started = performance.now();
  const { output } = await runNode([conformanceCli, 'server', '--url', url, '--scenario', scenario, '-o', outputDir], 60_000);
  const durationMs = performance.now() - started;
  const files = await findFiles(outputDir, 'checks.json').catch(() => []);
  if (files.length !== 1) return { scenario, passed: false, problems: [`expected one checks.json, found ${files.length}`], durationMs, output };
  const checks = JSON.parse(await readFile(files[0]!, 'utf8')) as ConformanceCheck[];
  const problems = checks
    .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
    .map((check) => `${check.id} (${check.status}): ${check.errorMessage ?? check.description}`);
  if (checks.length === 0) problems.push('the scenario recorded no checks');
  return { scenario, passed: problems.length === 0, problems, durationMs, output };
}

beforeAll(async () => {
  requireStoriesModel();
  baseline = JSON.parse(await readFile(join(import.meta.dirname, 'server-baseline.json'), 'utf8')) as Baseline;
  allScenarios = await listServerScenarios();
  const dataDir = await dirs.make('tandem-server-conformance-');
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  let hosts = new Set<string>();
  handler = createMcpHttpHandler(core, { allowedHosts: () => hosts, allowedOrigins: () => new Set() });
  const caller = { keyId: 'conformance', keyName: 'conformance' };
  http = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    handler.handle(req, res, caller).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  hosts = allowedHosts('127.0.0.1', port);
  const url = `http://127.0.0.1:${port}/mcp`;

  const chosen = only ? allScenarios.filter((name) => only.includes(name)) : allScenarios;
  const outputRoot = await dirs.make('tandem-server-conformance-out-');
  let attempt = 0;
  results = await mapLimited(chosen, 2, (scenario) => runServerScenario(scenario, url, join(outputRoot, `${scenarioSlug(scenario)}-${++attempt}`)));
  const passed = results.filter((result) => result.passed).length;
  console.log(`conformance: ${passed}/${results.length} server scenarios pass`);
  for (const result of results) {
    const mark = result.passed ? 'pass' : baseline.server[result.scenario] ? 'fail (baseline)' : 'FAIL';
    console.log(`  ${mark.padEnd(16)} ${result.scenario} (${(result.durationMs / 1000).toFixed(1)} s)${result.passed ? '' : `: ${result.problems[0] ?? ''}`}`);
  }
}, 420_000);

afterAll(async () => {
  await handler?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  await core?.dispose();
  await dirs.removeAll();
});

describe('MCP server conformance', () => {
  it('lists server scenarios, and the baseline names only real ones, each with a reason', () => {
    expect(allScenarios).toContain('server-initialize');
    expect(allScenarios).toContain('dns-rebinding-protection');
    for (const [scenario, reason] of Object.entries(baseline.server)) {
      expect(allScenarios, `baseline entry ${scenario} is not a scenario of this conformance package`).toContain(scenario);
      expect(reason.length, `baseline entry ${scenario} needs a reason`).toBeGreaterThan(10);
    }
    // What Tandem's tools rely on is never excused.
    for (const essential of ['server-initialize', 'tools-list', 'resources-list', 'ping', 'dns-rebinding-protection']) {
      expect(baseline.server[essential], `${essential} must not be in the baseline`).toBeUndefined();
    }
  });

  it('passes every scenario outside the baseline', () => {
    const unexpected = results.filter((result) => !result.passed && !baseline.server[result.scenario]);
    const report = unexpected.map((result) => `${result.scenario}:\n    ${result.problems.join('\n    ')}\n${result.output.slice(-2000)}`);
    expect(report, 'scenarios that fail and are not in tests/conformance/server-baseline.json').toEqual([]);
  });

  it('still fails every baseline scenario (remove an entry once it passes)', () => {
    const stale = results.filter((result) => result.passed && baseline.server[result.scenario]).map((result) => result.scenario);
    expect(stale, 'baseline entries that now pass: remove them from tests/conformance/server-baseline.json').toEqual([]);
  });
});
