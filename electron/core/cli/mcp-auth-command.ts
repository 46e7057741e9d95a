import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { toTandemError } from '../../../shared/ipc/errors';
import type { McpServerStatus } from '../../../shared/ipc/routes/mcp';
import { dataLayout } from '../app/data-dir';
import { createLogger } from '../app/logger';
import { McpHost } from '../mcp/mcp-host';
import type { GlobalOptions } from './main';
import { printConfigProblems } from './open-cli-core';

/** Opens a link in the system browser, best effort (the link is printed either way). TANDEM_NO_BROWSER=1 skips it. */
function openInBrowser(url: string): void {
  if (process.env.TANDEM_NO_BROWSER) return;
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser here (a server, a container): the printed link is the way.
  }
}

function outcome(name: string, status: McpServerStatus): { line: string; ok: boolean } {
  const auth = status.auth;
  if (auth?.state === 'authorized') return { line: auth.account ? `Connected as ${auth.account}` : 'Authorized', ok: true };
  if (status.state === 'ready') return { line: `${name} is connected (it did not ask for a sign-in)`, ok: true };
  return { line: auth?.message ?? status.error?.message ?? `${name} is ${status.state}`, ok: false };
}

/**
 * `tandem mcp login NAME`: runs the browser sign-in of an HTTP server: prints
 * the consent link (and tries to open the browser), waits for the redirect on
 * the loopback listener, then prints "Connected as …" or "Authorized".
 * `tandem mcp logout NAME`: forgets the server's tokens and registration.
 */
export async function runMcpAuth(global: GlobalOptions, action: 'login' | 'logout', args: string[]): Promise<number> {
  const [name, ...extra] = args;
  if (!name || extra.length > 0) {
    process.stderr.write(`tandem mcp ${action}: give one server NAME (tandem mcp ${action} NAME)\n`);
    return 2;
  }
  const layout = dataLayout(resolve(global.dataDir));
  await mkdir(layout.root, { recursive: true, mode: 0o700 });
  const host = new McpHost({
    dataDir: layout.root,
    logger: createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn'),
    clientInfo: { name: 'Tandem CLI', version: global.version },
    auth: { openExternal: openInBrowser },
  });
  const onSignal = () => void host.dispose().then(() => process.exit(130));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await host.init();
    // A config file kept aside (mcp-servers.json, mcp-auth.json) is said here as in every other command.
    printConfigProblems(host.configProblem, host.authConfigProblem);
    if (action === 'logout') {
      await host.logout(name, { restart: false });
      process.stdout.write(`Signed out of ${name}\n`);
      return 0;
    }
    const { authorizationUrl, done } = await host.login(name);
    if (authorizationUrl) {
      process.stdout.write(`Open this link to sign in to ${name}:\n  ${authorizationUrl}\nWaiting for the browser…\n`);
    }
    const { line, ok } = outcome(name, await done);
    (ok ? process.stdout : process.stderr).write(ok ? `${line}\n` : `tandem mcp login: ${line}\n`);
    return ok ? 0 : 1;
  } catch (error) {
    const { code, message } = toTandemError(error);
    process.stderr.write(`tandem mcp ${action}: ${code}: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await host.dispose();
  }
}
