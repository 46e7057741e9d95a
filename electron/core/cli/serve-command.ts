import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createCore } from '../app/create-core';
import { createLogger } from '../app/logger';
import { startServeServer } from '../server/serve-server';
import { createToken } from '../server/security';
import type { GlobalOptions } from './main';
import { PACKAGE_ROOT } from './main';
import { onShutdownSignal } from './signals';

/**
 * `tandem serve`: the same backend as the desktop app, headless, with the UI
 * served to a browser on loopback. Prints exactly one line to stdout; logs
 * go to stderr.
 */
export async function runServe(global: GlobalOptions, options: { port: number; host: string }): Promise<number> {
  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'info');
  const staticDir = join(PACKAGE_ROOT, 'out', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) {
    process.stderr.write('Building the Tandem UI (first run)…\n');
    const build = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (build.status !== 0 || !existsSync(join(staticDir, 'index.html'))) {
      process.stderr.write('tandem serve: the UI could not be built; run `npm run build` and look at its errors.\n');
      return 1;
    }
  }
  const core = await createCore({ dataDir: global.dataDir, modelsDirs: global.modelsDirs, mode: 'serve', version: global.version, logger });
  let server;
  try {
    server = await startServeServer({ rpc: core.rpc, logger, token: createToken(), host: options.host, port: options.port, staticDir });
  } catch (error) {
    await core.dispose();
    process.stderr.write(`tandem serve: could not listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    return 1;
  }
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    logger.warn(`serving on ${options.host}: anyone who can reach it and has the token can use Tandem`);
  }
  logger.info(`data dir: ${core.layout.root}`);
  process.stdout.write(`Tandem is serving at ${server.url}\n`);
  const activeServer = server;
  await onShutdownSignal(async (signal) => {
    logger.info(`${signal}: shutting down`);
    await core.dispose(); // ends streams first, so partial answers are saved as cancelled
    await activeServer.close();
  });
  return 0;
}
