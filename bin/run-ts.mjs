#!/usr/bin/env node
// Runs a TypeScript script (bench/, tools) through tsx: `node bin/run-ts.mjs bench/stream.ts [args]`.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
// The entry point names the one resources folder (model catalog, prices, puzzles).
process.env.TANDEM_RESOURCES_DIR ??= fileURLToPath(new URL('../resources', import.meta.url));
const { register } = await import('tsx/esm/api');
register();
const [script, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...rest];
await import(pathToFileURL(resolve(script)).href);
