import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CodedError, toTandemError } from '../../../shared/ipc/errors';
import { McpServerConfigInputSchema, type McpServerConfigInput, type McpServerStatus } from '../../../shared/ipc/routes/mcp';
import { dataLayout } from '../app/data-dir';
import { createLogger } from '../app/logger';
import { McpHost } from '../mcp/mcp-host';
import { LoginShellPath } from '../mcp/login-shell-path';
import { preflightCommand } from '../mcp/preflight';
import { SettingsStore } from '../settings/settings-store';
import type { GlobalOptions } from './main';
import { printConfigProblems } from './open-cli-core';

export interface McpCommandOptions {
  /** What came after `--`: the stdio server's command and its arguments. */
  commandLine: string[] | null;
  env?: string[];
  secretEnv?: string[];
  cwd?: string;
  url?: string;
  header?: string[];
}

/**
 * `tandem mcp add|list|rm|import|tools|call`: configure MCP servers and try
 * them. Only `tools` and `call` start a server (just the one they name);
 * secret values are never printed.
 */
export async function runMcp(global: GlobalOptions, args: string[], options: McpCommandOptions): Promise<number> {
  const [action, name, ...rest] = args;
  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn');
  const layout = dataLayout(resolve(global.dataDir));
  await mkdir(layout.root, { recursive: true, mode: 0o700 });
  const settings = new SettingsStore(layout.settings);
  await settings.load();
  const host = new McpHost({
    dataDir: layout.root,
    logger,
    roots: () => settings.get().mcp.roots,
    clientInfo: { name: 'Tandem CLI', version: global.version },
  });
  // Ctrl-C: the running call is cancelled on the server (notifications/cancelled) and the server is stopped.
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
    void host.dispose();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await host.init();
    printConfigProblems(settings.configProblem, host.configProblem, host.authConfigProblem);
    switch (action) {
      case 'list': {
        const servers = host.list();
        if (servers.length === 0) process.stdout.write('No MCP servers yet. Add one: tandem mcp add NAME -- COMMAND [ARGS...]\n');
        for (const s of servers) process.stdout.write(`${s.name}\t${s.config.transport}\t${s.state}\t${toolCount(s)}\t${where(s)}\n`);
        return 0;
      }
      case 'add': {
        if (!name) return usage('add needs a NAME');
        const input = addInput(name, rest, options);
        if (typeof input === 'string') return usage(input);
        const parsed = McpServerConfigInputSchema.safeParse(input);
        if (!parsed.success) return usage(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
        const status = await host.add(parsed.data, { start: false });
        process.stdout.write(`Added ${status.name} (${where(status)})\n`);
        if (parsed.data.transport === 'stdio') {
          const check = await preflightCommand(parsed.data.command, { path: await new LoginShellPath().get(), pathExt: process.env.PATHEXT, cwd: parsed.data.cwd });
          if (!check.ok) process.stderr.write(`tandem mcp: warning: ${check.message}\n`);
        }
        return 0;
      }
      case 'rm':
      case 'remove': {
        if (!name) return usage('rm needs a NAME');
        await host.remove(name);
        process.stdout.write(`Removed ${name}\n`);
        return 0;
      }
      case 'import': {
        if (!name) return usage('import needs a FILE (e.g. claude_desktop_config.json)');
        const content = await readFile(resolve(name), 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new CodedError(error.code === 'ENOENT' ? 'NOT_FOUND' : 'STORAGE_FAILED', `cannot read ${name}: ${error.message}`);
        });
        const { added, skipped } = await host.importConfig(content, { start: false });
        for (const server of added) process.stdout.write(`Added ${server}\n`);
        for (const s of skipped) process.stdout.write(`Skipped ${s.name}: ${s.reason}\n`);
        process.stdout.write(`${added.length} added, ${skipped.length} skipped\n`);
        return 0;
      }
      case 'tools': {
        if (!name) return usage('tools needs a server NAME');
        const status = await host.ensureReady(name);
        if (status.tools.length === 0) process.stdout.write(`${name} has no tools\n`);
        for (const tool of status.tools) {
          const description = tool.description.split('\n')[0]?.trim() ?? '';
          process.stdout.write(`${tool.name}${tool.enabled ? '' : ' (disabled)'}\t${description}\n`);
        }
        return 0;
      }
      case 'call': {
        const [tool, json] = rest;
        if (!name || !tool) return usage("call needs a server NAME, a TOOL and optionally its arguments as JSON: tandem mcp call NAME TOOL '{\"key\": \"value\"}'");
        let toolArgs: unknown = {};
        if (json !== undefined) {
          try {
            toolArgs = JSON.parse(json);
          } catch (error) {
            return usage(`the arguments are not valid JSON (${(error as Error).message})`);
          }
        }
        if (!toolArgs || typeof toolArgs !== 'object' || Array.isArray(toolArgs)) return usage('the arguments must be a JSON object');
        await host.ensureReady(name);
        const result = await host.callTool(name, tool, toolArgs as Record<string, unknown>, { signal: interrupt.signal });
        process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
        return result.isError ? 1 : 0;
      }
      default:
        return usage(action ? `unknown action "${action}"` : 'give an action: add, list, rm, import, tools or call');
    }
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write('tandem mcp: cancelled\n');
      return 130;
    }
    const { code, message } = toTandemError(error);
    process.stderr.write(`tandem mcp: ${code}: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await host.dispose();
  }
}

function addInput(name: string, extra: string[], options: McpCommandOptions): Partial<McpServerConfigInput> | string {
  const env: Record<string, string> = {};
  const secretEnv: string[] = [];
  for (const [list, secret] of [[options.env ?? [], false], [options.secretEnv ?? [], true]] as const) {
    for (const pair of list) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return `--${secret ? 'secret-env' : 'env'} takes KEY=VALUE, not "${pair}"`;
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
      if (secret) secretEnv.push(pair.slice(0, eq));
    }
  }
  const headers: Record<string, string> = {};
  for (const pair of options.header ?? []) {
    const eq = pair.search(/[=:]/);
    if (eq <= 0) return `--header takes KEY=VALUE, not "${pair}"`;
    headers[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  if (options.url !== undefined) {
    if (options.commandLine?.length || extra.length) return 'give either --url URL or -- COMMAND [ARGS...], not both';
    if (Object.keys(env).length || options.cwd) return '--env, --secret-env and --cwd are for stdio servers (-- COMMAND)';
    // Authorization-like headers are kept sealed.
    const secretHeaders = Object.keys(headers).filter((k) => /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$|token|secret/i.test(k));
    return { transport: 'http', name, url: options.url, ...(Object.keys(headers).length ? { headers } : {}), ...(secretHeaders.length ? { secretHeaders } : {}) };
  }
  const commandLine = options.commandLine ?? [];
  if (commandLine.length === 0) return 'add needs either -- COMMAND [ARGS...] (stdio) or --url URL (HTTP)';
  if (extra.length) return `unexpected "${extra.join(' ')}" before --`;
  if (Object.keys(headers).length) return '--header is for HTTP servers (--url)';
  const [command, ...args] = commandLine;
  return {
    transport: 'stdio',
    name,
    command: command!,
    ...(args.length ? { args } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(secretEnv.length ? { secretEnv } : {}),
    ...(options.cwd ? { cwd: resolve(options.cwd) } : {}),
  };
}

function toolCount(status: McpServerStatus): string {
  return status.state === 'ready' ? `${status.tools.length} tools` : '- tools';
}

function where(status: McpServerStatus): string {
  return status.config.transport === 'stdio' ? [status.config.command, ...status.config.args].join(' ') : (status.config.url ?? '');
}

function usage(problem: string): number {
  process.stderr.write(`tandem mcp: ${problem}\nRun \`tandem --help\` for usage.\n`);
  return 2;
}
