import type { ProviderHealth } from '../../../shared/ipc/routes/providers';
import type { RequestRecord } from './usage-ledger';

/** Error rate, latency p50/p95 and the last error per provider, over the records given (the last hour). */
export function providerHealth(providers: readonly string[], records: readonly RequestRecord[]): ProviderHealth[] {
  return providers.map((provider) => {
    const mine = records.filter((r) => r.provider === provider && r.errorCode !== 'CANCELLED');
    const failed = mine.filter((r) => r.errorCode !== null);
    const latencies = mine.filter((r) => r.errorCode === null).map((r) => r.latencyMs).sort((a, b) => a - b);
    const last = failed.at(-1);
    return {
      provider,
      requests: mine.length,
      errorRate: mine.length === 0 ? 0 : failed.length / mine.length,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      lastError: last ? { code: last.errorCode!, message: last.errorMessage ?? '', at: last.at } : null,
    };
  });
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
