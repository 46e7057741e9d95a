import type { ApiKeyLimits, ApiKeySummary } from '../../../../shared/ipc/routes/api';
import { formatCount } from '../../lib/format';
import { formatUsd } from '../../lib/route-format';

/** "60/min · 100,000 tokens/day · $2/day", or "No limits". */
export function describeKeyLimits(key: ApiKeyLimits): string {
  const parts = [
    key.requestsPerMinute === null ? null : `${formatCount(key.requestsPerMinute)}/min`,
    key.dailyTokens === null ? null : `${formatCount(key.dailyTokens)} tokens/day`,
    key.dailyCostUsd === null ? null : `${formatUsd(key.dailyCostUsd)}/day`,
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(' · ') : 'No limits';
}

/** "12 requests · 3,400 tokens · $0.01". */
export function describeToday(today: ApiKeySummary['today']): string {
  return `${formatCount(today.requests)} ${today.requests === 1 ? 'request' : 'requests'} · ${formatCount(today.tokens)} tokens · ${formatUsd(today.costUsd)}`;
}

/** A browser origin such as http://localhost:3000 (scheme, host and port only), or `*`. */
export function isOrigin(text: string): boolean {
  if (text === '*') return true;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** A limit field: blank is no limit; otherwise a positive number (whole when `integer`); NaN when invalid. */
export function parseLimit(text: string, integer: boolean): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) return Number.NaN;
  return value;
}
