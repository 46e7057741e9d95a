#!/usr/bin/env node
// The `tandem` command: runs the TypeScript CLI through tsx, so it works straight after `npm install`.
import { fileURLToPath } from 'node:url';
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`Tandem needs Node.js 22 or newer; this is ${process.version}. Install Node 22+ (https://nodejs.org) and try again.\n`);
  process.exit(1);
}
// The entry point names the one resources folder (model catalog, prices, puzzles): this checkout's resources/.
process.env.TANDEM_RESOURCES_DIR ??= fileURLToPath(new URL('../resources', import.meta.url));
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../electron/core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
