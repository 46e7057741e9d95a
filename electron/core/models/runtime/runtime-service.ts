import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { CodedError } from '../../../../shared/ipc/errors';
import type { LocalModel } from '../../../../shared/ipc/domain';
import {
  LocalBuildSchema,
  type BuildProgress,
  type LocalBuild,
  type RuntimeBinary,
  type RuntimeInfo,
  type RuntimeVariant,
  type ThreadCalibration,
  type ToolchainStatus,
} from '../../../../shared/ipc/routes/runtime';
import type { Logger } from '../../app/logger';
import { writeFileAtomic } from '../../fs/atomic-write';
import { cpuCount } from '../threads';
import { checkBuild, nodeLlamaCppDir, runLocalBuild, type BuildResult, type BuildRunOptions, type CheckOutcome } from './build';
import { CalibrationStore, chooseThreads, measureThreads, type CalibrationOptions, type CalibrationResult } from './calibration';
import { cpuFeatures, loadLocalLlama, loadPrebuiltLlama, type LlamaLogger } from './load-llama';
import { detectToolchain } from './toolchain';

/** Log lines of a build kept in memory (the panel shows the tail). */
const LOG_LINES = 400;
/** Log lines sent with each `runtime.changed`. */
const LOG_LINES_SENT = 60;
/** `runtime.changed` during a build at most this often. */
const EMIT_INTERVAL_MS = 250;
/** Greedy tokens compared between a build and the prebuilt. */
const CHECK_TOKENS = 16;

const StateFileSchema = z.object({ version: z.literal(1), localBuild: LocalBuildSchema.nullable() });

export interface RuntimeServiceOptions {
  /** `<data dir>/runtime`: builds/, state.json, threads.json. */
  dir: string;
  logger: Logger;
  variant: () => RuntimeVariant;
  setVariant: (variant: RuntimeVariant) => Promise<void>;
  /** 'auto' lets node-llama-cpp pick Metal/CUDA/Vulkan; false the CPU. */
  gpu?: 'auto' | false;
  /** The model a build is checked with (the smallest local chat model); null when there is none. */
  checkModel: () => Promise<string | null>;
  onChanged?: (info: RuntimeInfo) => void;
  /** Seams for tests: the build, the check and the toolchain probe. */
  build?: (options: BuildRunOptions) => Promise<BuildResult>;
  check?: (buildPath: string, modelPath: string, tokens: number) => Promise<CheckOutcome>;
  detectToolchain?: () => Promise<ToolchainStatus>;
  /** Calibration measurement (tests shorten it). */
  calibration?: Partial<Omit<CalibrationOptions, 'signal'>>;
  cores?: number;
}

interface BackendHooks {
  /** The backend is made. */
  backendLoaded: () => boolean;
  /** Unloads every model and drops the backend, so the next load makes it again. */
  resetBackend: () => Promise<void>;
  backend: () => Promise<Llama>;
}

/**
 * Which llama.cpp binary local models run on, "Build for this computer"
 * (a child-process build, checked against the prebuilt, kept in the data
 * folder), and threads chosen by measurement per model and runtime.
 */
export class RuntimeService {
  private localBuild: LocalBuild | null = null;
  private progress: BuildProgress = { state: 'idle', progress: null, log: [], error: null, startedAt: null, finishedAt: null };
  private buildController: AbortController | null = null;
  private buildDone: Promise<BuildProgress> | null = null;
  private active: RuntimeBinary | null = null;
  private activeId = 'prebuilt';
  private activeSystemInfo: string | null = null;
  private fallbackReason: string | null = null;
  private toolchain: Promise<ToolchainStatus> | null = null;
  private calibrating: string | null = null;
  private readonly calibrations: CalibrationStore;
  private hooks: BackendHooks | null = null;
  private emitTimer: NodeJS.Timeout | null = null;
  private disposed = false;
  private readonly bundledRelease: string | null;

  constructor(private readonly options: RuntimeServiceOptions) {
    this.calibrations = new CalibrationStore(join(options.dir, 'threads.json'));
    this.bundledRelease = readBundledRelease();
  }

  get buildsDir(): string {
    return join(this.options.dir, 'builds');
  }

  async init(): Promise<void> {
    await mkdir(this.buildsDir, { recursive: true });
    try {
      const parsed = StateFileSchema.safeParse(JSON.parse(await readFile(join(this.options.dir, 'state.json'), 'utf8')));
      if (parsed.success) this.localBuild = parsed.data.localBuild;
    } catch {
      // no state yet
    }
  }

  /** Connects the runtime whose backend this service makes. */
  attach(hooks: BackendHooks): void {
    this.hooks = hooks;
  }

  /** The local build the variant asks for and may use, or why not. */
  private choice(): { build: LocalBuild | null; reason: string | null } {
    const variant = this.options.variant();
    if (variant === 'prebuilt') return { build: null, reason: null };
    const build = this.localBuild;
    let reason: string | null = null;
    if (!build) reason = 'No build for this computer yet';
    else if (!existsSync(join(build.path, 'llama-addon.node'))) reason = `The build for this computer is missing (${build.path})`;
    else if (!build.check) reason = 'The build for this computer was not checked';
    else if (!build.check.ok) reason = `The build for this computer failed its check: ${build.check.reason}`;
    else if (this.bundledRelease && build.llamaCppRelease !== this.bundledRelease)
      reason = `The build for this computer is of llama.cpp ${build.llamaCppRelease}; this Tandem bundles ${this.bundledRelease}: build again`;
    if (reason) return { build: null, reason: variant === 'local' || build ? reason : null };
    return { build, reason: null };
  }

  /** Makes the Llama backend from the chosen binary; a local build that fails to load leaves the prebuilt in use. */
  async loadLlama(logger: LlamaLogger): Promise<Llama> {
    const { build, reason } = this.choice();
    this.fallbackReason = reason;
    if (build) {
      try {
        const llama = await loadLocalLlama(build.path, logger);
        this.active = { kind: 'local', gpu: false, label: 'Built for this computer', llamaCppRelease: build.llamaCppRelease };
        this.activeId = `local:${build.folder}`;
        this.activeSystemInfo = llama.systemInfo;
        this.emitSoon();
        return llama;
      } catch (error) {
        this.fallbackReason = `The build for this computer could not be loaded: ${(error as Error).message}`;
        this.options.logger.warn(this.fallbackReason);
      }
    }
    const llama = await loadPrebuiltLlama(this.options.gpu ?? 'auto', logger);
    const gpu = llama.gpu === false ? false : (llama.gpu as 'metal' | 'cuda' | 'vulkan');
    this.active = { kind: 'prebuilt', gpu, label: gpu === false ? 'Prebuilt CPU' : { metal: 'Metal', cuda: 'CUDA', vulkan: 'Vulkan' }[gpu], llamaCppRelease: this.bundledRelease };
    this.activeId = gpu === false ? 'prebuilt' : `prebuilt-${gpu}`;
    this.activeSystemInfo = llama.systemInfo;
    this.emitSoon();
    return llama;
  }

  /** What `runtime.info` answers. Makes the backend when none is made yet (to read its CPU features). */
  async info(): Promise<RuntimeInfo> {
    await this.hooks?.backend().catch(() => undefined);
    this.lastCalibrations = await this.calibrations.all();
    return this.snapshot(await this.toolchainStatus());
  }

  private toolchainStatus(): Promise<ToolchainStatus> {
    this.toolchain ??= (this.options.detectToolchain ?? detectToolchain)();
    return this.toolchain;
  }

  private snapshot(toolchain: ToolchainStatus, calibrations: ThreadCalibration[] = this.lastCalibrations): RuntimeInfo {
    const { reason } = this.choice();
    const active: RuntimeBinary = this.active ?? { kind: 'prebuilt', gpu: false, label: 'Prebuilt CPU', llamaCppRelease: this.bundledRelease };
    return {
      variant: this.options.variant(),
      active,
      backendLoaded: this.hooks?.backendLoaded() ?? false,
      fallbackReason: this.active?.kind === 'local' ? null : (this.fallbackReason ?? reason),
      cpu: { features: cpuFeatures(this.activeSystemInfo), systemInfo: this.activeSystemInfo, cores: this.options.cores ?? cpuCount() },
      toolchain,
      localBuild: this.localBuild,
      build: { ...this.progress, log: this.progress.log.slice(-LOG_LINES_SENT) },
      calibrating: this.calibrating,
      calibrations,
    };
  }

  private lastCalibrations: ThreadCalibration[] = [];

  private emitSoon(): void {
    if (!this.options.onChanged || this.emitTimer || this.disposed) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      void this.emitNow();
    }, EMIT_INTERVAL_MS);
  }

  private async emitNow(): Promise<void> {
    if (!this.options.onChanged || this.disposed) return;
    this.lastCalibrations = await this.calibrations.all();
    this.options.onChanged(this.snapshot(await this.toolchainStatus()));
  }

  /** Chooses the runtime; the next model load uses it (loaded models are unloaded and load again on their next use). */
  async use(variant: RuntimeVariant): Promise<RuntimeInfo> {
    if (variant === 'local') {
      const build = this.localBuild;
      if (!build) throw new CodedError('NOT_FOUND', 'There is no build for this computer yet: run "Build for this computer" first');
      if (!build.check?.ok) throw new CodedError('CONFLICT', `The build for this computer failed its check (${build.check?.reason ?? 'not checked'}); the prebuilt stays in use`);
    }
    await this.options.setVariant(variant);
    await this.switchBackend();
    return this.info();
  }

  private async switchBackend(): Promise<void> {
    if (this.hooks?.backendLoaded()) await this.hooks.resetBackend();
    this.active = null;
    this.activeSystemInfo = null;
    this.fallbackReason = null;
    await this.emitNow();
  }

  /** Starts a build (answers at once; `runtime.changed` reports progress). */
  async startBuild(): Promise<RuntimeInfo> {
    if (this.buildDone) throw new CodedError('CONFLICT', 'A build is already running');
    const toolchain = await this.toolchainStatus();
    if (!toolchain.available) throw new CodedError('UNSUPPORTED', `Building needs ${toolchain.missing.join(', ')}. ${toolchain.installHint ?? ''}`.trim());
    if (!this.options.build && process.env.TANDEM_RUNTIME_BUILD === 'off') {
      throw new CodedError('UNSUPPORTED', 'Building llama.cpp is turned off here (TANDEM_RUNTIME_BUILD=off)');
    }
    this.buildController = new AbortController();
    this.progress = { state: 'building', progress: 0, log: [], error: null, startedAt: new Date().toISOString(), finishedAt: null };
    this.buildDone = this.runBuild(this.buildController.signal).finally(() => {
      this.buildDone = null;
      this.buildController = null;
    });
    await this.emitNow();
    return this.snapshot(toolchain);
  }

  /** Builds, checks and (on success) selects the build; resolves with how it ended. */
  async build(follow: { onLine?: (line: string) => void; onProgress?: (progress: BuildProgress) => void } = {}): Promise<BuildProgress> {
    if (follow.onLine) this.lineListeners.add(follow.onLine);
    // the CLI follows the build without a dispatcher
    const timer = follow.onProgress ? setInterval(() => follow.onProgress!(this.progress), 500) : undefined;
    try {
      await this.startBuild();
      return await this.buildDone!;
    } finally {
      clearInterval(timer);
      if (follow.onLine) this.lineListeners.delete(follow.onLine);
    }
  }

  private readonly lineListeners = new Set<(line: string) => void>();

  /** Progress of the build in this run (or the last one). */
  buildProgress(): BuildProgress {
    return this.progress;
  }

  cancelBuild(): boolean {
    if (!this.buildController) return false;
    this.buildController.abort();
    return true;
  }

  private log(line: string): void {
    for (const listener of this.lineListeners) listener(line);
    this.progress.log.push(line);
    if (this.progress.log.length > LOG_LINES) this.progress.log.splice(0, this.progress.log.length - LOG_LINES);
    this.emitSoon();
  }

  private finish(state: BuildProgress['state'], error: string | null): BuildProgress {
    this.progress = { ...this.progress, state, error, finishedAt: new Date().toISOString(), progress: state === 'succeeded' ? 1 : this.progress.progress };
    if (error) this.log(error);
    void this.emitNow();
    return this.progress;
  }

  private async runBuild(signal: AbortSignal): Promise<BuildProgress> {
    let result: BuildResult;
    try {
      result = await (this.options.build ?? runLocalBuild)({
        buildsDir: this.buildsDir,
        signal,
        onLine: (line) => this.log(line),
        onProgress: (progress) => {
          this.progress.progress = progress;
          this.emitSoon();
        },
      });
    } catch (error) {
      if (signal.aborted) return this.finish('cancelled', null);
      return this.finish('failed', `${(error as Error).message}. The prebuilt runtime stays in use.`);
    }
    if (signal.aborted) return this.finish('cancelled', null);
    this.progress.state = 'checking';
    this.log(`Built into ${result.path}; checking it against the prebuilt…`);
    const modelPath = await this.options.checkModel();
    const checkedAt = new Date().toISOString();
    let outcome: CheckOutcome;
    if (!modelPath) outcome = { ok: false, reason: 'No local chat model to check the build with: add one (a small .gguf) and build again', systemInfo: null, tokens: 0 };
    else {
      try {
        outcome = await (this.options.check ?? ((path, model, tokens) => checkBuild(path, model, tokens)))(result.path, modelPath, CHECK_TOKENS);
      } catch (error) {
        outcome = { ok: false, reason: (error as Error).message, systemInfo: null, tokens: 0 };
      }
    }
    this.localBuild = {
      folder: result.folder,
      path: result.path,
      llamaCppRelease: result.llamaCppRelease,
      builtAt: checkedAt,
      check: { ok: outcome.ok, reason: outcome.reason, model: modelPath ?? '', tokens: outcome.tokens, checkedAt },
      systemInfo: outcome.systemInfo,
    };
    await this.saveState();
    if (!outcome.ok) return this.finish('failed', `${outcome.reason}. The prebuilt runtime stays in use.`);
    this.log(`The build gave the same ${outcome.tokens} greedy tokens as the prebuilt; it is used from the next model load.`);
    if (this.options.variant() === 'prebuilt') await this.options.setVariant('auto');
    await this.switchBackend();
    return this.finish('succeeded', null);
  }

  private async saveState(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    await writeFileAtomic(join(this.options.dir, 'state.json'), JSON.stringify({ version: 1, localBuild: this.localBuild }, null, 2));
  }

  /**
   * Threads for a chat model on the runtime in use: measured on its first
   * load with this runtime (a few seconds, shown as `calibrating`), then read
   * back. Null when measuring failed (the thread rules apply).
   */
  async threadsFor(info: LocalModel, model: LlamaModel, signal?: AbortSignal): Promise<{ chat: number; batch: number } | null> {
    const key = CalibrationStore.key(this.activeId, info.path, info.sizeBytes);
    const saved = await this.calibrations.get(key);
    if (saved) return { chat: saved.chatThreads, batch: saved.batchThreads };
    this.calibrating = info.name;
    await this.emitNow();
    const started = performance.now();
    try {
      const result: CalibrationResult = await measureThreads(model, { cores: this.options.cores ?? cpuCount(), ...this.options.calibration, signal });
      const chosen = chooseThreads(result);
      const calibration: ThreadCalibration = {
        modelName: info.name,
        runtime: this.activeId,
        generationThreads: chosen.generation,
        batchThreads: chosen.batch,
        chatThreads: chosen.chat,
        generationTps: result.generationTps.map(round1),
        promptTps: result.promptTps.map(round1),
        measuredAt: new Date().toISOString(),
      };
      await this.calibrations.set(key, calibration);
      this.options.logger.info(
        `${info.name}: threads measured on ${this.activeId} in ${Math.round(performance.now() - started)} ms: generation ${chosen.generation}, prompt ${chosen.batch}, chat ${chosen.chat} ` +
          `(tg ${calibration.generationTps.join('/')}, pp ${calibration.promptTps.join('/')} tok/s)`,
      );
      return { chat: chosen.chat, batch: chosen.batch };
    } catch (error) {
      if (!signal?.aborted) this.options.logger.warn(`${info.name}: could not measure threads (${(error as Error).message}); the thread rules apply`);
      return null;
    } finally {
      this.calibrating = null;
      await this.emitNow();
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.cancelBuild();
    await this.buildDone?.catch(() => undefined);
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The llama.cpp release node-llama-cpp bundles (its binariesGithubRelease.json). */
function readBundledRelease(): string | null {
  try {
    const text = readFileSync(join(nodeLlamaCppDir(), 'llama', 'binariesGithubRelease.json'), 'utf8');
    return (JSON.parse(text) as { release?: string }).release ?? null;
  } catch {
    return null;
  }
}

