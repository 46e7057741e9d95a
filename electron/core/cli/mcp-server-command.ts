import { format } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogger } from '../app/logger';
import { createTandemMcpServer } from '../server/mcp/tandem-mcp-server';
import type { GlobalOptions } from './main';
import { openCliCore } from './open-cli-core';

/**
 * `tandem mcp-server`: Tandem's MCP server on stdio, for Claude Desktop, IDEs
 * and agents (`{"command": "tandem", "args": ["mcp-server"]}`). stdout carries
 * JSON-RPC only: logs, and anything a library prints, go to stderr. Ends when
 * stdin closes or on SIGTERM / SIGINT, disposing the core (models unloaded,
 * logs flushed).
 */
export async function runMcpServer(global: GlobalOptions): Promise<number> {
  // A stray console.log would corrupt the protocol stream.
  const toStderr = (...args: unknown[]) => void process.stderr.write(`${format(...args)}\n`);
  Object.assign(console, { log: toStderr, info: toStderr, debug: toStderr, warn: toStderr });
  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn');
  const core = await openCliCore(global, 'mcp-server', { logger });
  if (!core) return 1;
  const server = createTandemMcpServer(core, { version: global.version });
  const transport = new StdioServerTransport();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const activeCore = core;
  let stopping: Promise<void> | null = null;
  const stop = (why: string) => {
    stopping ??= (async () => {
      logger.info(`mcp-server: ${why}; shutting down`);
      await server.close().catch(() => undefined);
      await activeCore.dispose();
      process.stdin.destroy();
      finish();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    void stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.stdin.once('end', () => void stop('stdin closed'));
  process.stdin.once('close', () => void stop('stdin closed'));
  try {
    await server.connect(transport);
    server.server.onclose = () => void stop('transport closed');
    logger.info(`mcp-server: ready (data dir ${activeCore.layout.root})`);
    await finished;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return 0;
}
