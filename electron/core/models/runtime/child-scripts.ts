/**
 * Scripts run in child Node processes (never in the app's main thread): the
 * build, which takes minutes, and the check of a build, which loads a binary
 * that may crash the process that loads it. Plain ESM strings so they run
 * from the packaged app too (written to a temp .mjs file), importing
 * node-llama-cpp from the folder given in TANDEM_NLC_DIR.
 */

/**
 * Compiles node-llama-cpp's bundled llama.cpp (its git bundle, offline) for
 * this CPU (GGML_NATIVE=ON) into node-llama-cpp's localBuilds folder, under a
 * name of its own (the custom cmake option gives it a hash suffix), so
 * node-llama-cpp's default selection never picks it up; the parent then moves
 * the result into the data folder. Prints `TANDEM_BUILD_FOLDER <name>` first
 * and `TANDEM_BUILD_DONE <release>` last.
 */
export const BUILD_SCRIPT = `
import path from "node:path";
import { pathToFileURL } from "node:url";
const nlcDir = process.env.TANDEM_NLC_DIR;
const imp = (p) => import(pathToFileURL(path.join(nlcDir, "dist", p)).href);
const { compileLlamaCpp } = await imp("bindings/utils/compileLLamaCpp.js");
const { getPlatform } = await imp("bindings/utils/getPlatform.js");
const { getPlatformInfo } = await imp("bindings/utils/getPlatformInfo.js");
const { builtinLlamaCppGitHubRepo } = await imp("config.js");
const { builtinLlamaCppRelease } = await imp("bindings/utils/binariesGithubRelease.js");
const { getBuildFolderNameForBuildOptions } = await imp("bindings/utils/getBuildFolderNameForBuildOptions.js");
const buildOptions = {
  customCmakeOptions: new Map([["GGML_NATIVE", "ON"]]),
  progressLogs: true,
  platform: getPlatform(),
  platformInfo: await getPlatformInfo(),
  arch: process.arch,
  gpu: false,
  llamaCpp: { repo: builtinLlamaCppGitHubRepo, release: builtinLlamaCppRelease },
};
const names = await getBuildFolderNameForBuildOptions(buildOptions);
console.log("TANDEM_BUILD_FOLDER " + names.withCustomCmakeOptions);
await compileLlamaCpp(buildOptions, {
  ensureLlamaCppRepoIsCloned: true,
  downloadCmakeIfNeeded: false,
  updateLastBuildInfo: false,
  includeBuildOptionsInBinaryFolderName: true,
});
console.log("TANDEM_BUILD_DONE " + builtinLlamaCppRelease);
`;

/**
 * Loads a binary (TANDEM_BINARY: "prebuilt" or a local build's folder), a
 * model (TANDEM_MODEL), evaluates TANDEM_TOKENS tokens greedily from the
 * model's BOS token, and prints one line `TANDEM_PROBE {json}` with the
 * tokens and ggml's system info. A broken binary fails here, in the child.
 */
export const PROBE_SCRIPT = `
import path from "node:path";
import fs from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
const nlcDir = process.env.TANDEM_NLC_DIR;
const { getLlama, Llama, LlamaLogLevel } = await import(pathToFileURL(path.join(nlcDir, "dist", "index.js")).href);
const binary = process.env.TANDEM_BINARY;
let llama;
if (binary === "prebuilt") {
  llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
} else {
  const require = createRequire(import.meta.url);
  const bindingPath = path.join(binary, "llama-addon.node");
  const bindings = require(bindingPath);
  const buildMetadata = JSON.parse(fs.readFileSync(path.join(binary, "_nlcBuildMetadata.json"), "utf8"));
  llama = await Llama._create({ bindings, bindingPath, buildType: "localBuild", buildMetadata, logLevel: LlamaLogLevel.error,
    logger: () => {}, vramPadding: 0, ramPadding: 0, debug: false, numa: false, tempDir: false });
}
const model = await llama.loadModel({ modelPath: process.env.TANDEM_MODEL, gpuLayers: 0 });
const context = await model.createContext({ contextSize: 256, threads: 1 });
const sequence = context.getSequence();
const wanted = Number(process.env.TANDEM_TOKENS);
const tokens = [];
const start = model.tokens.bos != null ? [model.tokens.bos] : model.tokenize("Once upon a time");
for await (const token of sequence.evaluate(start, { temperature: 0 })) {
  tokens.push(token);
  if (tokens.length >= wanted) break;
}
console.log("TANDEM_PROBE " + JSON.stringify({ tokens, systemInfo: llama.systemInfo, cpuMathCores: llama.cpuMathCores }));
await context.dispose();
await model.dispose();
await llama.dispose();
`;
