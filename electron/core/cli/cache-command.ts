import { formatBytes } from './models-command';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

/** `tandem cache stats` and `tandem cache clear`: the response cache of the data folder. */
export async function runCache(global: GlobalOptions, args: string[], options: { json: boolean } = { json: false }): Promise<number> {
  const [sub, ...rest] = args;
  if ((sub !== 'stats' && sub !== 'clear') || rest.length > 0) {
    process.stderr.write('tandem cache: use `tandem cache stats` or `tandem cache clear`\n');
    return 2;
  }
  return withCliCore(global, `cache ${sub}`, async (core) => {
    const cache = core.routing.cache;
    if (sub === 'clear') {
      const removed = await cache.clear();
      if (options.json) process.stdout.write(`${JSON.stringify({ removed })}\n`);
      else process.stdout.write(removed === 0 ? 'The response cache was already empty.\n' : `Removed ${removed} cached answer${removed === 1 ? '' : 's'}.\n`);
      return 0;
    }
    const stats = await cache.stats();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
      return 0;
    }
    const settings = core.settings.get().routing.cache;
    process.stdout.write(
      [
        `Response cache: ${settings.enabled ? 'on' : 'off'}${settings.ttlDays > 0 ? `, answers kept ${settings.ttlDays} day(s)` : ', answers kept until evicted'}`,
        `Entries:  ${stats.entries}`,
        `Size:     ${formatBytes(stats.bytes)} of ${formatBytes(settings.maxBytes)}`,
        `Hits:     ${stats.hits}`,
        `Saved:    $${stats.savedUsd.toFixed(4)}`,
      ].join('\n') + '\n',
    );
    return 0;
  });
}
