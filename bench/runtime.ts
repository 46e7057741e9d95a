/**
 * Tandem's local path against llama.cpp itself.
 *
 *   npm run bench:runtime [-- --reps N] [--width N] [--blocks N] [--skip-build]
 *
 * One run, on the generated F32 llama model of bench:local (width 1024, 2
 * blocks, ~122 MB, written into a temp dir):
 *   1. llama-bench built from node-llama-cpp's bundled llama.cpp source
 *      (GGML_NATIVE=ON; cached in ~/.cache/tandem-bench/llama-bench-<commit>,
 *      built once): pp512 and tg128 at 1..cores threads, the best of each;
 *   2. raw node-llama-cpp on the prebuilt CPU binary and on the build for this
 *      computer (~/.cache/tandem-runtime/builds/<folder>, built once with
 *      Tandem's own build flow, or TANDEM_LOCAL_BUILD): pp512 (512 tokens in
 *      one batch) and tg128 (greedy) at 1..cores threads, best of each;
 *   3. Tandem's local model (LocalRuntime + RuntimeService on the build for
 *      this computer, threads by Tandem's calibration): pp512 and tg128
 *      through the same context, with the same measurement.
 * Ratios: Tandem ÷ llama-bench (target >= 0.95 for both) and Tandem's
 * calibrated threads ÷ the best of the sweep (target >= 0.95).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { type LlamaContext, type LlamaModel, type Token } from 'node-llama-cpp';
import { createLogger } from '../electron/core/app/logger';
import { LocalRuntime } from '../electron/core/models/local-runtime';
import { ModelLibrary } from '../electron/core/models/model-library';
import { nodeLlamaCppDir, runLocalBuild, type BuildResult } from '../electron/core/models/runtime/build';
import { loadLocalLlama, loadPrebuiltLlama } from '../electron/core/models/runtime/load-llama';
import { RuntimeService } from '../electron/core/models/runtime/runtime-service';
import { cpuCount } from '../electron/core/models/threads';
import { writeTinyLlamaGguf } from '../tests/fixtures/gguf-writer';

const run = promisify(execFile);
const TARGET = 0.95;
const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    width: { type: 'string', default: '1024' },
    blocks: { type: 'string', default: '2' },
    'skip-build': { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);
const PP = 512;
const TG = 128;
const CONTEXT = 2048;
const cores = cpuCount();
const threadCounts = Array.from({ length: cores }, (_, i) => i + 1);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------- llama-bench, built once from the bundled source ----------
async function ensureLlamaBench(): Promise<string> {
  const bundle = join(nodeLlamaCppDir(), 'llama', 'gitRelease.bundle');
  const heads = (await run('git', ['bundle', 'list-heads', bundle])).stdout.trim().split('\n')[0]!.split(' ')[0]!;
  const commit = heads.slice(0, 7);
  const root = join(homedir(), '.cache', 'tandem-bench', `llama-bench-${commit}`);
  const src = `${root}-src`;
  const binary = join(src, 'build', 'bin', process.platform === 'win32' ? 'llama-bench.exe' : 'llama-bench');
  if (existsSync(binary)) return binary;
  if (values['skip-build']) throw new Error(`llama-bench is not built yet (${binary})`);
  console.log(`building llama-bench ${commit} into ${src} (once; minutes)…`);
  await mkdir(join(homedir(), '.cache', 'tandem-bench'), { recursive: true });
  if (!existsSync(join(src, 'CMakeLists.txt'))) await run('git', ['clone', '-q', bundle, src]);
  const step = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('cmake', args, { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cmake ${args.join(' ')} exited with ${code}`))));
    });
  await step(['-S', '.', '-B', 'build', '-DCMAKE_BUILD_TYPE=Release', '-DGGML_NATIVE=ON', '-DLLAMA_CURL=OFF', '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_EXAMPLES=OFF', '-DLLAMA_BUILD_SERVER=OFF', '-DLLAMA_OPENSSL=OFF', '-DLLAMA_HTTPLIB=OFF']);
  await step(['--build', 'build', '--target', 'llama-bench', '-j', String(cores)]);
  return binary;
}

/** One llama-bench run (-r 1) at 1..cores threads, appended to `into`. */
async function llamaBenchOnce(binary: string, modelPath: string, into: Runs): Promise<void> {
  const { stdout } = await run(binary, ['-m', modelPath, '-p', String(PP), '-n', String(TG), '-t', threadCounts.join(','), '-r', '1', '-o', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  const rows = JSON.parse(stdout) as { n_threads: number; n_prompt: number; n_gen: number; avg_ts: number }[];
  for (const row of rows) {
    const map = row.n_prompt > 0 ? into.pp : into.tg;
    map.set(row.n_threads, [...(map.get(row.n_threads) ?? []), row.avg_ts]);
  }
}

// ---------- the build for this computer ----------
async function ensureLocalBuild(): Promise<string> {
  if (process.env.TANDEM_LOCAL_BUILD) return process.env.TANDEM_LOCAL_BUILD;
  const buildsDir = join(homedir(), '.cache', 'tandem-runtime', 'builds');
  if (existsSync(buildsDir)) for (const name of readdirSync(buildsDir)) if (existsSync(join(buildsDir, name, 'llama-addon.node'))) return join(buildsDir, name);
  if (values['skip-build']) throw new Error('no build for this computer in ~/.cache/tandem-runtime/builds');
  console.log('building llama.cpp for this computer with Tandem\'s build flow (once; minutes)…');
  await mkdir(buildsDir, { recursive: true });
  const result = await runLocalBuild({ buildsDir, onProgress: () => undefined });
  return result.path;
}

// ---------- raw node-llama-cpp ----------
function promptTokens(model: LlamaModel, length: number): Token[] {
  const words = model.tokenize('Once upon a time there was the cat and the dog said hello story sun ');
  const out: Token[] = [];
  while (out.length < length) out.push(...words.slice(0, length - out.length));
  return out;
}

/** pp512 and tg128 tokens/s on one context (llama-bench's method: a fresh sequence, tokens timed end to end). */
async function measureContext(context: LlamaContext, model: LlamaModel): Promise<{ pp: number; tg: number }> {
  const sequence = context.getSequence();
  try {
    const prompt = promptTokens(model, PP);
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, 16)); // warm-up
    await sequence.clearHistory();
    let t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt);
    const pp = PP / ((performance.now() - t0) / 1000);
    await sequence.clearHistory();
    let n = 0;
    t0 = performance.now();
    for await (const token of sequence.evaluate([model.tokens.bos ?? prompt[0]!], { temperature: 0 })) {
      void token;
      if (++n >= TG) break;
    }
    const tg = TG / ((performance.now() - t0) / 1000);
    return { pp, tg };
  } finally {
    sequence.dispose();
  }
}

/** One pass over 1..cores threads on a loaded model (a fresh context per count), appended to `into`. */
async function sweepOnce(model: LlamaModel, into: { pp: Map<number, number[]>; tg: Map<number, number[]> }, reverse: boolean): Promise<void> {
  for (const threads of reverse ? [...threadCounts].reverse() : threadCounts) {
    const context = await model.createContext({ contextSize: CONTEXT, batchSize: PP, threads: { ideal: threads, min: threads }, sequences: 1 });
    try {
      const m = await measureContext(context, model);
      into.pp.set(threads, [...(into.pp.get(threads) ?? []), m.pp]);
      into.tg.set(threads, [...(into.tg.get(threads) ?? []), m.tg]);
    } finally {
      await context.dispose();
    }
  }
}

type Runs = { pp: Map<number, number[]>; tg: Map<number, number[]> };
const newRuns = (): Runs => ({ pp: new Map(), tg: new Map() });
const reduce = (r: Runs, f: (xs: number[]) => number) => ({ pp: new Map([...r.pp].map(([t, xs]) => [t, f(xs)])), tg: new Map([...r.tg].map(([t, xs]) => [t, f(xs)])) });
const max = (xs: number[]) => Math.max(...xs);

const best = (m: Map<number, number>) => [...m].reduce((a, b) => (b[1] > a[1] ? b : a));
const fmtSweep = (r: { pp: Map<number, number>; tg: Map<number, number> }) =>
  `pp512 ${[...r.pp].map(([t, v]) => `${t}t ${v.toFixed(0)}`).join(' / ')}   tg128 ${[...r.tg].map(([t, v]) => `${t}t ${v.toFixed(1)}`).join(' / ')}`;

// ---------- main ----------
const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-runtime-'));
try {
  const modelPath = join(dir, 'bench-llama.gguf');
  const width = Number(values.width);
  const bytes = await writeTinyLlamaGguf(modelPath, { embeddingLength: width, feedForwardLength: width * 4, blockCount: Number(values.blocks), contextLength: CONTEXT, seed: 11 });
  const llamaBenchBinary = await ensureLlamaBench();
  const buildPath = await ensureLocalBuild();
  console.log(`model       generated llama, width ${width}, ${values.blocks} blocks, F32, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
  console.log(`setup       ${cores} cores; pp${PP} / tg${TG}; ${reps} repetitions, interleaved (best and median); llama-bench ${llamaBenchBinary}; local build ${buildPath}`);
  console.log('');

  const quiet = () => undefined;
  const prebuilt = await loadPrebuiltLlama(false, quiet);
  const prebuiltModel = await prebuilt.loadModel({ modelPath, gpuLayers: 0 });
  const local = await loadLocalLlama(buildPath, quiet);
  const localModel = await local.loadModel({ modelPath, gpuLayers: 0 });

  // Tandem: the runtime service on the build for this computer, threads by its calibration
  const dataDir = join(dir, 'data');
  const folder = buildPath.split(/[\\/]/).pop()!;
  const release = (JSON.parse(await readFile(join(buildPath, '_nlcBuildMetadata.json'), 'utf8')) as { buildOptions: { llamaCpp: { release: string } } }).buildOptions.llamaCpp.release;
  let variant: 'auto' | 'prebuilt' | 'local' = 'local';
  const logger = createLogger('warn');
  const service = new RuntimeService({
    dir: join(dataDir, 'runtime'),
    logger,
    gpu: false,
    variant: () => variant,
    setVariant: async (v) => {
      variant = v;
    },
    checkModel: async () => modelPath,
    build: async (): Promise<BuildResult> => ({ folder, path: buildPath, llamaCppRelease: release }),
  });
  await service.init();
  const runtime = new LocalRuntime({
    logger,
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    contextSize: () => CONTEXT,
    loadLlama: (l) => service.loadLlama(l),
    measuredThreads: (info, model, signal) => service.threadsFor(info, model, signal),
  });
  service.attach({ backendLoaded: () => runtime.backendLoaded(), resetBackend: () => runtime.resetBackend(), backend: () => runtime.backend() });
  const checked = await service.build();
  if (checked.state !== 'succeeded') throw new Error(`the local build did not pass its check: ${checked.error}`);
  const info = await new ModelLibrary(() => [dir]).resolve(modelPath);
  const calibrationStarted = performance.now();
  const status = await runtime.load(info);
  const calibrationMs = performance.now() - calibrationStarted;
  const runtimeInfo = await service.info();
  const calibration = runtimeInfo.calibrations[0]!;
  // Tandem's own context (as made for chat), measured like the raw ones, and its chat path
  const context = (runtime as unknown as { entries: Map<string, { context: LlamaContext; model: LlamaModel }> }).entries.get(modelPath)!;
  const languageModel = runtime.languageModel(info);
  const words = ['the', 'cat', 'and', 'dog', 'said', 'hello', 'story', 'sun', 'upon', 'time', 'there', 'was'];
  const streamPrompt = (rep: number) => {
    // a different word order each time: no run reuses another's evaluated prefix
    const order = words.map((_, i) => words[(i * (rep + 5)) % words.length]!).join(' ');
    let text = order;
    while (context.model.tokenize(text).length < PP - 24) text += ` ${order}`;
    return text;
  };
  const lbRuns = newRuns();
  const prebuiltRuns = newRuns();
  const localRuns = newRuns();
  const tandemRuns: { pp: number; tg: number }[] = [];
  const streamRuns: { pp: number; tg: number; inputTokens: number; outputTokens: number }[] = [];
  // interleaved, one repetition of everything at a time, so a busy neighbour hits every side alike
  for (let rep = 0; rep < reps; rep++) {
    await llamaBenchOnce(llamaBenchBinary, modelPath, lbRuns);
    await sweepOnce(prebuiltModel, prebuiltRuns, rep % 2 === 1);
    await sweepOnce(localModel, localRuns, rep % 2 === 1);
    tandemRuns.push(await measureContext(context.context, context.model));
    for (const [prompt, maxTokens] of [
      [streamPrompt(rep), 1],
      [`Once upon a time ${rep}`, TG],
    ] as const) {
      const started = performance.now();
      let first = 0;
      let usage = { inputTokens: 0, outputTokens: 0 };
      for await (const part of languageModel.stream({ messages: [{ role: 'user', text: prompt }], maxTokens, temperature: 0 }, { signal: new AbortController().signal })) {
        if ((part.type === 'text-delta' || part.type === 'reasoning-delta') && first === 0) first = performance.now();
        if (part.type === 'usage') usage = part.usage;
        if (part.type === 'error') throw new Error(part.message);
      }
      const end = performance.now();
      // pp: the whole answer of one token (the prompt's evaluation and one sampled token)
      if (maxTokens === 1) streamRuns.push({ pp: usage.inputTokens / ((end - started) / 1000), tg: 0, inputTokens: usage.inputTokens, outputTokens: 0 });
      else Object.assign(streamRuns[streamRuns.length - 1]!, { tg: (usage.outputTokens - 1) / ((end - first) / 1000), outputTokens: usage.outputTokens });
    }
    const last = tandemRuns.at(-1)!;
    console.log(`rep ${rep + 1}       llama-bench ${fmtSweep(reduce(lbRuns, (xs) => xs.at(-1)!))} | Tandem pp ${last.pp.toFixed(0)} tg ${last.tg.toFixed(1)}`);
  }
  await prebuiltModel.dispose();
  await prebuilt.dispose();
  await localModel.dispose();
  await local.dispose();
  console.log('');
  // a busy neighbour only ever slows a run down: each side's best run is its cleanest estimate (medians shown too)
  const lb = reduce(lbRuns, max);
  const rawPrebuilt = reduce(prebuiltRuns, max);
  const rawLocal = reduce(localRuns, max);
  for (const [label, r] of [
    ['llama-bench', lbRuns],
    ['node-llama-cpp prebuilt', prebuiltRuns],
    ['node-llama-cpp local build', localRuns],
  ] as const) {
    console.log(`${`${label} (best)`.padEnd(34)} ${fmtSweep(reduce(r, max))}`);
    console.log(`${`${label} (median)`.padEnd(34)} ${fmtSweep(reduce(r, median))}`);
  }
  const tandem = { pp: max(tandemRuns.map((r) => r.pp)), tg: max(tandemRuns.map((r) => r.tg)) };
  console.log(
    `${`Tandem (${runtimeInfo.active.label}, ${status.threads}t)`.padEnd(34)} best pp512 ${tandem.pp.toFixed(0)} tg128 ${tandem.tg.toFixed(1)}; median pp512 ${median(tandemRuns.map((r) => r.pp)).toFixed(0)} tg128 ${median(tandemRuns.map((r) => r.tg)).toFixed(1)}   (its chat context: batch ${context.context.batchSize}, context ${context.context.contextSize})`,
  );
  const tandemStream = { pp: max(streamRuns.map((r) => r.pp)), tg: max(streamRuns.map((r) => r.tg)) };
  console.log(
    `${'Tandem chat path (stream)'.padEnd(34)} best pp ${tandemStream.pp.toFixed(0)} (${streamRuns[0]!.inputTokens} prompt tokens incl. template, one-token answer)   tg ${tandemStream.tg.toFixed(1)} (${streamRuns.map((r) => r.outputTokens).join('/')} tokens)`,
  );
  console.log(`calibration ${Math.round(calibrationMs)} ms incl. load: chat ${calibration.chatThreads}t, generation best ${calibration.generationThreads}t, prompt best ${calibration.batchThreads}t (tg ${calibration.generationTps.join('/')}, pp ${calibration.promptTps.join('/')})`);
  await runtime.dispose();
  await service.dispose();

  const [lbPpT, lbPp] = best(lb.pp);
  const [lbTgT, lbTg] = best(lb.tg);
  console.log('');
  console.log(`best        llama-bench pp512 ${lbPp.toFixed(0)} (${lbPpT}t), tg128 ${lbTg.toFixed(1)} (${lbTgT}t)`);
  for (const [label, r] of [
    ['prebuilt', rawPrebuilt],
    ['local build', rawLocal],
  ] as const) {
    const [ppT, pp] = best(r.pp);
    const [tgT, tg] = best(r.tg);
    console.log(`ratio       raw ${label} ÷ llama-bench: pp512 ${(pp / lbPp).toFixed(2)} (${ppT}t), tg128 ${(tg / lbTg).toFixed(2)} (${tgT}t)`);
  }
  const ppRatio = tandem.pp / lbPp;
  const tgRatio = tandem.tg / lbTg;
  const verdict = (x: number) => (x >= TARGET ? 'MET' : 'MISSED');
  console.log(`ratio       Tandem ÷ llama-bench: pp512 ${ppRatio.toFixed(3)} ${verdict(ppRatio)}, tg128 ${tgRatio.toFixed(3)} ${verdict(tgRatio)}   target >= ${TARGET}`);
  console.log(`ratio       Tandem chat path ÷ llama-bench: pp ${(tandemStream.pp / lbPp).toFixed(3)}, tg ${(tandemStream.tg / lbTg).toFixed(3)} (includes chat template, sampling and stream parts)`);
  // calibrated threads against the best of the raw local sweep, on the turn Tandem optimises (pp512 + tg128)
  const turn = (t: number) => PP / rawLocal.pp.get(t)! + TG / rawLocal.tg.get(t)!;
  const bestTurn = Math.min(...threadCounts.map(turn));
  const threadRatio = bestTurn / turn(calibration.chatThreads);
  const tgThreadRatio = rawLocal.tg.get(calibration.chatThreads)! / best(rawLocal.tg)[1];
  const ppThreadRatio = rawLocal.pp.get(calibration.chatThreads)! / best(rawLocal.pp)[1];
  console.log(
    `threads     calibrated ${calibration.chatThreads}t ÷ best of sweep: turn (pp512+tg128) ${threadRatio.toFixed(3)} ${verdict(threadRatio)}, tg128 ${tgThreadRatio.toFixed(3)}, pp512 ${ppThreadRatio.toFixed(3)}   target >= ${TARGET}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
