/**
 * MCP conformance: every client scenario of @modelcontextprotocol/conformance
 * (the list comes from `conformance list`, so a package update adds its new
 * scenarios here) runs against Tandem's MCP client
 * (electron/core/mcp/conformance-client.ts: McpHost with the scenario's URL as
 * an HTTP server, bundled once with esbuild so each run starts plain Node), two
 * at a time, offline. All 26 scenarios of 0.1.16 take about a minute on a quiet
 * 2-core machine (each is a conformance CLI process plus a client process).
 *
 * tests/conformance/baseline.json names the scenarios known to fail, each with
 * the reason. This fails when a scenario outside the baseline fails, and when a
 * baseline scenario passes (so the entry is removed and the baseline stays honest).
 *
 *   npm run test:conformance
 *   TANDEM_CONFORMANCE_SCENARIOS=initialize,tools_call npm run test:conformance   (a subset)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs } from '../support/temp-dir';
import { bundleTandemClient, listClientScenarios, mapLimited, runScenario, scenarioSlug, type ScenarioResult } from './scenario-runner';

interface Baseline {
  client: Record<string, string>;
}

const dirs = new TempDirs();
let allScenarios: string[] = [];
let baseline: Baseline;
let results: ScenarioResult[] = [];

/** Scenarios whose checks time the client. */
const TIMED = new Set(['sse-retry']);

const only = process.env.TANDEM_CONFORMANCE_SCENARIOS?.split(',').map((name) => name.trim()).filter(Boolean);

beforeAll(async () => {
  baseline = JSON.parse(await readFile(join(import.meta.dirname, 'baseline.json'), 'utf8')) as Baseline;
  allScenarios = await listClientScenarios();
  const chosen = only ? allScenarios.filter((name) => only.includes(name)) : allScenarios;
  const outputRoot = await dirs.make('tandem-conformance-');
  const command = await bundleTandemClient(outputRoot);
  let attempt = 0;
  const run = (scenario: string) => runScenario(scenario, { command, outputDir: join(outputRoot, `${scenarioSlug(scenario)}-${++attempt}`) });
  // Timing checks (sse-retry: reconnect after the server's `retry: 500`) run alone, after the rest.
  const parallel = await mapLimited(chosen.filter((name) => !TIMED.has(name)), 2, run);
  const alone = await mapLimited(chosen.filter((name) => TIMED.has(name)), 1, run);
  results = [...parallel, ...alone];
  // A result that is only WARNINGs (late, not wrong) on a busy shared machine gets two more tries, alone.
  for (const [index, result] of results.entries()) {
    let current = result;
    for (let retry = 0; retry < 2 && !current.passed && current.warningsOnly; retry++) current = await run(result.scenario);
    results[index] = current;
  }
  const passed = results.filter((result) => result.passed).length;
  console.log(`conformance: ${passed}/${results.length} client scenarios pass`);
  for (const result of results) {
    const mark = result.passed ? 'pass' : baseline.client[result.scenario] ? 'fail (baseline)' : 'FAIL';
    console.log(`  ${mark.padEnd(16)} ${result.scenario} (${(result.durationMs / 1000).toFixed(1)} s)${result.passed ? '' : `: ${result.problems[0] ?? ''}`}`);
  }
}, 420_000);

afterAll(() => dirs.removeAll());

describe('MCP client conformance', () => {
  it('lists client scenarios, and the baseline names only real ones, each with a reason', () => {
    expect(allScenarios).toContain('initialize');
    expect(allScenarios).toContain('tools_call');
    for (const [scenario, reason] of Object.entries(baseline.client)) {
      expect(allScenarios, `baseline entry ${scenario} is not a scenario of this conformance package`).toContain(scenario);
      expect(reason.length, `baseline entry ${scenario} needs a reason`).toBeGreaterThan(10);
    }
  });

  it('passes every scenario outside the baseline', () => {
    const unexpected = results.filter((result) => !result.passed && !baseline.client[result.scenario]);
    const report = unexpected.map((result) => `${result.scenario}:\n    ${result.problems.join('\n    ')}\n${result.output.slice(-2000)}`);
    expect(report, 'scenarios that fail and are not in tests/conformance/baseline.json').toEqual([]);
  });

  it('still fails every baseline scenario (remove an entry once it passes)', () => {
    const stale = results.filter((result) => result.passed && baseline.client[result.scenario]).map((result) => result.scenario);
    expect(stale, 'baseline entries that now pass: remove them from tests/conformance/baseline.json').toEqual([]);
  });
});
