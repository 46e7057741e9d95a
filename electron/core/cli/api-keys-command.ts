import { join, resolve } from 'node:path';
import { toTandemError } from '../../../shared/ipc/errors';
import type { ApiKeyLimits, ApiKeySummary } from '../../../shared/ipc/routes/api';
import { createLogger } from '../app/logger';
import { ApiKeyService } from '../server/api-keys/api-key-service';
import type { GlobalOptions } from './main';

export interface ApiKeysCommandOptions {
  rpm?: string;
  dailyTokens?: string;
  dailyUsd?: string;
  json: boolean;
}

const USAGE =
  'use `tandem api-keys add NAME [--rpm N] [--daily-tokens N] [--daily-usd X]`, `tandem api-keys list [--json]`, `tandem api-keys rotate NAME_OR_ID` or `tandem api-keys revoke NAME_OR_ID`';

/**
 * `tandem api-keys add|list|rotate|revoke`: the named keys of Tandem's API
 * and MCP server. A new secret is printed once; only its hash is stored. A
 * running app or `tandem serve` sees the change on its next request.
 */
export async function runApiKeys(global: GlobalOptions, args: string[], options: ApiKeysCommandOptions): Promise<number> {
  const [sub, ...rest] = args;
  const limitsGiven = [options.rpm, options.dailyTokens, options.dailyUsd].some((v) => v !== undefined);
  let limits: Partial<ApiKeyLimits> = {};
  if (sub === 'add') {
    if (rest.length !== 1 || !rest[0]?.trim()) return usage('add needs exactly one NAME (quote a name with spaces)');
    const parsed = parseLimits(options);
    if (typeof parsed === 'string') return usage(parsed);
    limits = parsed;
  } else if (sub === 'list') {
    if (rest.length > 0) return usage('list takes no arguments');
  } else if (sub === 'rotate' || sub === 'revoke') {
    if (rest.length !== 1) return usage(`${sub} needs exactly one NAME_OR_ID`);
  } else {
    return usage(sub ? `unknown subcommand "${sub}"; ${USAGE}` : USAGE);
  }
  if (limitsGiven && sub !== 'add') return usage('--rpm, --daily-tokens and --daily-usd go with `add`');
  if (options.json && sub !== 'list' && sub !== 'add') return usage('--json goes with `list` or `add`');

  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn');
  const keys = new ApiKeyService({ dir: join(resolve(global.dataDir), 'api'), logger });
  try {
    await keys.init();
    switch (sub) {
      case 'add': {
        const { key, secret } = await keys.add({ name: rest[0] as string, ...limits });
        if (options.json) process.stdout.write(`${JSON.stringify({ key, secret }, null, 2)}\n`);
        else printSecret(`Added API key "${key.name}"`, key, secret);
        return 0;
      }
      case 'list': {
        const list = keys.list();
        process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : formatKeys(list));
        return 0;
      }
      case 'rotate': {
        const { key, secret } = await keys.rotate(rest[0] as string);
        printSecret(`Rotated API key "${key.name}": the old secret no longer works`, key, secret);
        return 0;
      }
      default: {
        const key = keys.find(rest[0] as string);
        await keys.revoke(rest[0] as string);
        process.stdout.write(`Revoked API key "${key?.name ?? rest[0]}" (${key?.prefix ?? ''}…): it no longer works.\n`);
        return 0;
      }
    }
  } catch (error) {
    const { code, message } = toTandemError(error);
    process.stderr.write(`tandem api-keys ${sub}: ${code}: ${message}\n`);
    return 1;
  } finally {
    await keys.dispose();
  }
}

function printSecret(headline: string, key: ApiKeySummary, secret: string): void {
  process.stdout.write(`${headline} (${key.prefix}…, ${describeLimits(key)}).\n`);
  process.stdout.write(`Secret (shown once, store it now): ${secret}\n`);
  process.stdout.write(`Use it as a bearer token: Authorization: Bearer ${key.prefix}…\n`);
}

/** The `--rpm`, `--daily-tokens` and `--daily-usd` values, or what is wrong with them. */
function parseLimits(options: ApiKeysCommandOptions): Partial<ApiKeyLimits> | string {
  const limits: Partial<ApiKeyLimits> = {};
  if (options.rpm !== undefined) {
    const rpm = Number(options.rpm);
    if (!Number.isInteger(rpm) || rpm < 1 || rpm > 1_000_000) return '--rpm must be a whole number from 1 to 1000000';
    limits.requestsPerMinute = rpm;
  }
  if (options.dailyTokens !== undefined) {
    const tokens = Number(options.dailyTokens);
    if (!Number.isSafeInteger(tokens) || tokens < 1) return '--daily-tokens must be a positive whole number';
    limits.dailyTokens = tokens;
  }
  if (options.dailyUsd !== undefined) {
    const usd = Number(options.dailyUsd);
    if (!Number.isFinite(usd) || usd <= 0 || options.dailyUsd.trim() === '') return '--daily-usd must be a positive amount in dollars, e.g. 2.50';
    limits.dailyCostUsd = usd;
  }
  return limits;
}

export function describeLimits(key: ApiKeyLimits): string {
  const parts = [
    key.requestsPerMinute === null ? null : `${key.requestsPerMinute}/min`,
    key.dailyTokens === null ? null : `${key.dailyTokens.toLocaleString('en-US')} tokens/day`,
    key.dailyCostUsd === null ? null : `$${key.dailyCostUsd}/day`,
  ].filter((p) => p !== null);
  return parts.length > 0 ? parts.join(', ') : 'no limits';
}

function formatKeys(keys: ApiKeySummary[]): string {
  if (keys.length === 0) return 'No API keys. Add one with `tandem api-keys add NAME`.\n';
  const rows = keys.map((k) => [
    k.name,
    `${k.prefix}…`,
    describeLimits(k),
    `${k.today.requests} req, ${k.today.tokens.toLocaleString('en-US')} tokens, $${k.today.costUsd.toFixed(4)}`,
    k.lastUsedAt ?? 'never',
  ]);
  const header = ['NAME', 'PREFIX', 'LIMITS', 'TODAY (UTC)', 'LAST USED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}\n`;
  return line(header) + rows.map(line).join('');
}

function usage(message: string): number {
  process.stderr.write(`tandem api-keys: ${message}\n`);
  return 2;
}
