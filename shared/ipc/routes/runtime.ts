import { z } from 'zod';
import { request } from '../route-def';

/**
 * Which llama.cpp binary local models load with (setting `runtime.variant`):
 * 'auto' uses the build for this computer once it passed its check, else the
 * prebuilt; 'prebuilt' always the prebuilt (CPU, Metal, CUDA or Vulkan);
 * 'local' the build for this computer (the prebuilt, with the reason shown,
 * when there is none or it failed its check).
 */
export const RuntimeVariantSchema = z.enum(['auto', 'prebuilt', 'local']);
export type RuntimeVariant = z.infer<typeof RuntimeVariantSchema>;

/** cmake and a C++ compiler, as found on this computer. */
export const ToolchainStatusSchema = z.object({
  available: z.boolean(),
  /** `cmake --version`'s first line; null when cmake was not found. */
  cmake: z.string().nullable(),
  compiler: z.string().nullable(),
  /** What is missing, in words ("CMake", "a C++ compiler"). */
  missing: z.array(z.string()),
  /** What to install on this platform; null when nothing is missing. */
  installHint: z.string().nullable(),
});
export type ToolchainStatus = z.infer<typeof ToolchainStatusSchema>;

/** The binary a Llama backend was (or will be) made from. */
export const RuntimeBinarySchema = z.object({
  kind: z.enum(['prebuilt', 'local']),
  /** false on the CPU. */
  gpu: z.union([z.literal(false), z.enum(['metal', 'cuda', 'vulkan'])]),
  /** "Prebuilt CPU", "Metal", "CUDA", "Vulkan" or "Built for this computer". */
  label: z.string(),
  /** The llama.cpp release the binary was built from. */
  llamaCppRelease: z.string().nullable(),
});
export type RuntimeBinary = z.infer<typeof RuntimeBinarySchema>;

/** The check of a local build: greedy tokens of a model against the prebuilt's. */
export const BuildCheckSchema = z.object({
  ok: z.boolean(),
  /** Why it failed, in words; null when it passed. */
  reason: z.string().nullable(),
  model: z.string(),
  tokens: z.number().int().nonnegative(),
  checkedAt: z.string(),
});
export type BuildCheck = z.infer<typeof BuildCheckSchema>;

/** A build for this computer kept in the data folder. */
export const LocalBuildSchema = z.object({
  folder: z.string(),
  path: z.string(),
  llamaCppRelease: z.string(),
  builtAt: z.string(),
  /** Null until it was checked. */
  check: BuildCheckSchema.nullable(),
  /** ggml's system info of this build ("AVX2 = 1 | …"), read during the check. */
  systemInfo: z.string().nullable(),
});
export type LocalBuild = z.infer<typeof LocalBuildSchema>;

export const BuildStateSchema = z.enum(['idle', 'building', 'checking', 'succeeded', 'failed', 'cancelled']);
export type BuildState = z.infer<typeof BuildStateSchema>;

/** A build in progress or the last one this run. */
export const BuildProgressSchema = z.object({
  state: BuildStateSchema,
  /** 0..1 from cmake's progress lines; null when unknown. */
  progress: z.number().min(0).max(1).nullable(),
  /** The last lines of the build log. */
  log: z.array(z.string()),
  /** Why the build or its check failed. */
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type BuildProgress = z.infer<typeof BuildProgressSchema>;

/** Threads chosen by measurement for one model on one runtime. */
export const ThreadCalibrationSchema = z.object({
  modelName: z.string(),
  /** `prebuilt` or the local build's folder. */
  runtime: z.string(),
  generationThreads: z.number().int().min(1),
  batchThreads: z.number().int().min(1),
  /** The count a chat context uses: the fastest for a 512-token prompt plus 128 generated tokens. */
  chatThreads: z.number().int().min(1),
  /** Measured tokens/s per thread count (index 0 = 1 thread). */
  generationTps: z.array(z.number().nonnegative()),
  promptTps: z.array(z.number().nonnegative()),
  measuredAt: z.string(),
});
export type ThreadCalibration = z.infer<typeof ThreadCalibrationSchema>;

export const RuntimeInfoSchema = z.object({
  variant: RuntimeVariantSchema,
  /** What the next model load uses (the backend already made, when one is). */
  active: RuntimeBinarySchema,
  /** The backend is made (a model was loaded this run); a change of runtime waits for the next start then. */
  backendLoaded: z.boolean(),
  /** Why the prebuilt is used although the variant asked for the local build; null otherwise. */
  fallbackReason: z.string().nullable(),
  cpu: z.object({
    /** Features ggml reports as on ("AVX2", "FMA", …). */
    features: z.array(z.string()),
    systemInfo: z.string().nullable(),
    cores: z.number().int().min(1),
  }),
  toolchain: ToolchainStatusSchema,
  localBuild: LocalBuildSchema.nullable(),
  build: BuildProgressSchema,
  /** A model whose threads are being measured right now, or null. */
  calibrating: z.string().nullable(),
  calibrations: z.array(ThreadCalibrationSchema),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfoSchema>;

const Empty = z.strictObject({});

export const runtimeRoutes = {
  /** The runtime in use, CPU features, toolchain, local build and thread calibrations. */
  'runtime.info': request(Empty, RuntimeInfoSchema),
  /**
   * Starts "Build for this computer" (answers at once; progress comes as
   * `runtime.changed`). The build is checked against the prebuilt, then used
   * from the next model load. CONFLICT when one runs; UNSUPPORTED without a toolchain.
   */
  'runtime.build': request(Empty, RuntimeInfoSchema),
  /** Stops a build in progress; `cancelled` is false when none ran. */
  'runtime.cancelBuild': request(Empty, z.object({ cancelled: z.boolean() })),
  /** Chooses the runtime (saved in settings as `runtime.variant`). */
  'runtime.use': request(z.strictObject({ variant: RuntimeVariantSchema }), RuntimeInfoSchema),
} as const;

export const runtimeEvents = {
  /** The runtime, the build's progress or a calibration changed. */
  'runtime.changed': RuntimeInfoSchema,
} as const;
