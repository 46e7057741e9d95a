/**
 * MCP host overhead: Tandem's McpHost against the raw SDK Client on the same servers.
 *
 *   npm run bench:mcp [-- --calls N] [--warmup N] [--spawns N]
 *
 * (a) Tool call round trip: server-everything's `echo` over stdio, one server
 *     process for McpHost.callTool and one for a raw SDK Client.callTool
 *     (StdioClientTransport), warmed up, then N calls each, interleaved
 *     (host,raw / raw,host …). Prints p50/mean/p99 per side and host/raw
 *     (target <= 1.1). On Linux also a raw client whose server runs in its own
 *     session (setsid), as McpHost starts servers, to tell host code from placement.
 * (b) Spawn-to-ready for a Node stdio server: from the connect call to the tools
 *     listed. Host: `ensureReady` on a server added stopped (spawn, initialize,
 *     tools/resources/prompts listed, state ready). Raw: new Client +
 *     StdioClientTransport, connect, listTools. Both for server-everything and
 *     bench/support/minimal-stdio-server.mjs, runs interleaved; medians
 *     (target <= 300 ms); also the host with NODE_COMPILE_CACHE in the server's
 *     env (Node's on-disk compile cache), which is what a Node server's start
 *     is mostly made of. The login-shell PATH lookup the host does once per
 *     launch is warmed first and reported on its own.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createLogger } from '../electron/core/app/logger';
import { LoginShellPath } from '../electron/core/mcp/login-shell-path';
import { McpHost } from '../electron/core/mcp/mcp-host';

const TARGET_CALL_RATIO = 1.1;
const TARGET_SPAWN_MS = 300;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '100' },
    spawns: { type: 'string', default: '15' },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const spawns = Number(values.spawns);

const SERVERS = {
  'server-everything': [join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js'), 'stdio'],
  'minimal SDK server': [join(repoRoot, 'bench', 'support', 'minimal-stdio-server.mjs')],
} as const;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const quantile = (xs: number[], q: number) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => {
  const s = sorted(xs);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(x < 10 ? 3 : 1)} ms`;

const dataDir = await mkdtemp(join(tmpdir(), 'tandem-bench-mcp-'));
const host = new McpHost({ dataDir, logger: createLogger('warn'), clientInfo: { name: 'Tandem', version: 'bench' } });
await host.init();

async function rawClient(args: readonly string[], wrapper?: string): Promise<Client> {
  const client = new Client({ name: 'raw-bench', version: '1.0.0' });
  const command = wrapper ? { command: wrapper, args: [process.execPath, ...args] } : { command: process.execPath, args: [...args] };
  await client.connect(new StdioClientTransport({ ...command, stderr: 'ignore' }));
  // as the host does when it connects (the SDK caches the tools' output schemas)
  await client.listTools();
  return client;
}

console.log(`machine     ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, ${new Date().toISOString()}`);

// The host asks the login shell for PATH once per launch (in the background at startup); do that first and show it.
const shellStarted = performance.now();
await new LoginShellPath().get();
const shellMs = performance.now() - shellStarted;

// ---------- (a) tool call round trip ----------

const [everythingJs, ...everythingArgs] = SERVERS['server-everything'];
await host.add({ transport: 'stdio', name: 'everything', command: process.execPath, args: [everythingJs, ...everythingArgs] }, { start: false });
await host.ensureReady('everything');
const raw = await rawClient(SERVERS['server-everything']);
// McpHost starts servers in their own session (detached, so closing kills the whole tree). With Linux's
// autogroup scheduling that alone changes wake-up latency on a busy machine; this raw client's server
// is started the same way (setsid), so host code and process placement can be told apart.
const setsid = existsSync('/usr/bin/setsid') ? '/usr/bin/setsid' : null;
const rawSession = setsid ? await rawClient(SERVERS['server-everything'], setsid) : null;

const viaHost = async (message: string) => {
  const started = performance.now();
  const result = await host.callTool('everything', 'echo', { message });
  const took = performance.now() - started;
  if (result.isError || !result.text.includes(message)) throw new Error(`host echo answered ${result.text}`);
  return took;
};
const viaRaw = (client: Client) => async (message: string) => {
  const started = performance.now();
  const result = await client.callTool({ name: 'echo', arguments: { message } });
  const took = performance.now() - started;
  const text = (result.content as { text?: string }[])[0]?.text ?? '';
  if (result.isError || !text.includes(message)) throw new Error(`raw echo answered ${text}`);
  return took;
};

const hostCalls: number[] = [];
const rawCalls: number[] = [];
const sessionCalls: number[] = [];
const callers = [
  { call: viaHost, into: hostCalls },
  { call: viaRaw(raw), into: rawCalls },
  ...(rawSession ? [{ call: viaRaw(rawSession), into: sessionCalls }] : []),
];
for (let i = 0; i < warmup; i++) for (const { call } of callers) await call(`warm ${i}`);
for (let i = 0; i < calls; i++) {
  // rotate the order so no side always runs first or right after the other
  for (let k = 0; k < callers.length; k++) {
    const { call, into } = callers[(i + k) % callers.length]!;
    into.push(await call(`call ${i}`));
  }
}
await raw.close();
await rawSession?.close();
await host.remove('everything');

// ---------- (b) spawn-to-ready ----------

// What a user (or Tandem, for Node servers) can give a server: Node's on-disk compile cache (Node >= 22.1).
const compileCacheEnv = { NODE_COMPILE_CACHE: join(dataDir, 'node-compile-cache') };

async function hostSpawn(name: string, args: readonly string[], env?: Record<string, string>): Promise<number> {
  const [script, ...rest] = args;
  await host.add({ transport: 'stdio', name, command: process.execPath, args: [script!, ...rest], ...(env ? { env } : {}) }, { start: false });
  const started = performance.now();
  const status = await host.ensureReady(name);
  const took = performance.now() - started;
  if (status.tools.length === 0) throw new Error(`${name}: ready without tools`);
  await host.remove(name);
  return took;
}
async function rawSpawn(args: readonly string[]): Promise<number> {
  const started = performance.now();
  const client = new Client({ name: 'raw-bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [...args], stderr: 'ignore' }));
  const { tools } = await client.listTools();
  const took = performance.now() - started;
  if (tools.length === 0) throw new Error('raw: no tools');
  await client.close();
  return took;
}

const spawnResults: { server: string; host: number[]; cached: number[]; raw: number[] }[] = [];
for (const [server, args] of Object.entries(SERVERS)) {
  const runs = { host: [] as number[], cached: [] as number[], raw: [] as number[] };
  const variants = [
    (i: number) => hostSpawn(`run${i}`, args).then((t) => runs.host.push(t)),
    (i: number) => hostSpawn(`cached${i}`, args, compileCacheEnv).then((t) => runs.cached.push(t)),
    () => rawSpawn(args).then((t) => runs.raw.push(t)),
  ];
  // one unmeasured run each: the first spawn pays for cold file caches (and fills the compile cache)
  await hostSpawn('warm', args);
  await hostSpawn('warm-cached', args, compileCacheEnv);
  await rawSpawn(args);
  for (let i = 0; i < spawns; i++) {
    // rotate the order so no variant always runs first
    for (let k = 0; k < variants.length; k++) await variants[(i + k) % variants.length]!(i);
  }
  spawnResults.push({ server, ...runs });
}

await host.dispose();
await rm(dataDir, { recursive: true, force: true });

// ---------- report ----------

const p50Ratio = median(hostCalls) / median(rawCalls);
const meanRatio = mean(hostCalls) / mean(rawCalls);
// each host call over the raw call beside it: less sensitive to a shared machine's slow drift
const pairedRatio = median(hostCalls.map((h, i) => h / rawCalls[i]!));
console.log('');
console.log(`(a) echo round trip over stdio, server-everything, ${warmup} warm-up + ${calls} calls each, interleaved`);
console.log(`    raw SDK Client.callTool   p50 ${ms(median(rawCalls))}   mean ${ms(mean(rawCalls))}   p99 ${ms(quantile(rawCalls, 0.99))}`);
console.log(`    McpHost.callTool          p50 ${ms(median(hostCalls))}   mean ${ms(mean(hostCalls))}   p99 ${ms(quantile(hostCalls, 0.99))}`);
if (sessionCalls.length > 0) {
  console.log(`    raw SDK, server setsid    p50 ${ms(median(sessionCalls))}   mean ${ms(mean(sessionCalls))}   p99 ${ms(quantile(sessionCalls, 0.99))}   (placed as McpHost places it)`);
}
console.log(`    host/raw                  p50 ${p50Ratio.toFixed(3)}   target <= ${TARGET_CALL_RATIO}   ${p50Ratio <= TARGET_CALL_RATIO ? 'MET' : 'MISSED'}`);
console.log(`      mean ${meanRatio.toFixed(3)} (scheduler stalls dominate means on a busy machine); paired per call (median) ${pairedRatio.toFixed(3)}`);
if (sessionCalls.length > 0) {
  console.log(`      host/raw-setsid p50 ${(median(hostCalls) / median(sessionCalls)).toFixed(3)}: what the host's code adds, process placement aside`);
}
console.log('');
console.log(`(b) spawn-to-ready (connect call → tools listed), ${spawns} runs each, interleaved`);
console.log(`    login-shell PATH lookup, once per launch before the first stdio server: ${ms(shellMs)}${shellMs >= 1490 ? ' (hit its 1.5 s timeout)' : ''}`);
for (const { server, host: h, cached: c, raw: r } of spawnResults) {
  const hm = median(h);
  console.log(`    ${server}`);
  console.log(`      McpHost                          median ${ms(hm)}   min ${ms(Math.min(...h))}   target <= ${TARGET_SPAWN_MS} ms   ${hm <= TARGET_SPAWN_MS ? 'MET' : 'MISSED'}`);
  console.log(`      raw SDK (connect + listTools)    median ${ms(median(r))}   min ${ms(Math.min(...r))}   → host adds ${ms(hm - median(r))}`);
  console.log(`      McpHost, env NODE_COMPILE_CACHE  median ${ms(median(c))}   min ${ms(Math.min(...c))}`);
}
