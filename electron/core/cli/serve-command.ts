import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openCliCore } from './open-cli-core';
import { createLogger } from '../app/logger';
import { startServeServer } from '../server/serve-server';
import { isLoopbackHost } from '../server/api-service';
import { createToken, hostsForBinding } from '../server/security';
import type { GlobalOptions } from './main';
import { PACKAGE_ROOT } from './main';
import { onShutdownSignal } from './signals';

export interface ServeOptions {
  port: number;
  host: string;
  /** Also serve Tandem's API (/v1/…) and MCP (/mcp) on the same port. */
  api?: boolean;
  /** The key API clients send (--api-key or TANDEM_API_KEY); never stored. */
  apiKey?: string;
  /** A --host that other machines can reach is refused without it. */
  allowRemote?: boolean;
  /** --cors: comma-separated browser origins allowed to call the API (default: the settings' list). */
  cors?: string;
}

/**
 * `tandem serve`: the same backend as the desktop app, headless, with the UI
 * served to a browser on loopback. Prints one line to stdout (and with
 * `--api` a second one, where the API is); logs go to stderr.
 */
export async function runServe(global: GlobalOptions, options: ServeOptions): Promise<number> {
  const remote = !isLoopbackHost(options.host);
  if (remote && !options.allowRemote) {
    process.stderr.write(`tandem serve: --host ${options.host} can be reached from other machines; add --allow-remote if that is what you want\n`);
    return 2;
  }
  const corsOrigins = options.cors === undefined ? undefined : parseOrigins(options.cors);
  if (typeof corsOrigins === 'string') {
    process.stderr.write(`tandem serve: --cors: ${corsOrigins}\n`);
    return 2;
  }
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
  const core = await openCliCore(global, 'serve', { logger, mode: 'serve' });
  if (!core) return 1;
  if (options.apiKey) core.apiKeys.setCommandLineKey(options.apiKey);
  let hosts = new Set<string>();
  const mount = options.api ? core.api.mount(() => hosts, corsOrigins ? () => corsOrigins : undefined) : null;
  let server;
  try {
    if (mount && !options.apiKey && core.apiKeys.list().length === 0) {
      const { secret } = await core.apiKeys.add({ name: 'default' });
      process.stderr.write(`API key: ${secret}  (shown once; \`tandem api-keys\` manages keys)\n`);
    }
    server = await startServeServer({ rpc: core.rpc, logger, token: createToken(), host: options.host, port: options.port, staticDir, api: mount?.handler });
  } catch (error) {
    await core.dispose();
    process.stderr.write(`tandem serve: could not listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    return 1;
  }
  hosts = hostsForBinding(options.host, server.port);
  if (remote) {
    logger.warn(`serving on ${options.host}: anyone who can reach it and has the token can use Tandem`);
    process.stderr.write(`Warning: Tandem listens on ${options.host}, reachable from other machines${mount ? '; anyone with an API key can use its models and documents' : ''}.\n`);
  }
  logger.info(`data dir: ${core.layout.root}`);
  process.stdout.write(`Tandem is serving at ${server.url}\n`);
  if (mount) {
    const apiUrl = `http://${apiHostOf(options.host)}:${server.port}/v1`;
    mount.listening(apiUrl);
    process.stdout.write(`Tandem API at ${apiUrl}\n`);
  }
  const activeServer = server;
  await onShutdownSignal(async (signal) => {
    logger.info(`${signal}: shutting down`);
    await core.dispose(); // ends streams first, so partial answers are saved as cancelled
    await activeServer.close();
  });
  return 0;
}

/** Where a client on this machine reaches the API: loopback for a wildcard bind. */
function apiHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]' || host === 'localhost') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `--cors a,b`: each must be an origin (scheme, host, port; no path), or `*`. */
function parseOrigins(list: string): string[] | string {
  const origins: string[] = [];
  for (const raw of list.split(',').map((o) => o.trim()).filter((o) => o !== '')) {
    if (raw === '*') {
      origins.push(raw);
      continue;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return `"${raw}" is not an origin such as http://localhost:3000`;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) return `"${raw}" is not an origin such as http://localhost:3000 (scheme, host and port only)`;
    origins.push(url.origin);
  }
  return origins.length > 0 ? origins : 'give one or more origins, separated by commas';
}
