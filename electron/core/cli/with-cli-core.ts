import { toTandemError } from '../../../shared/ipc/errors';
import type { Core } from '../app/create-core';
import { createLogger } from '../app/logger';
import type { GlobalOptions } from './main';
import { openCliCore } from './open-cli-core';

/**
 * Runs one CLI command against a core built for this run: a failure prints
 * `tandem LABEL: CODE: message` and exits 1; the core is always disposed.
 */
export async function withCliCore(global: GlobalOptions, label: string, run: (core: Core) => Promise<number>): Promise<number> {
  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn');
  const core = await openCliCore(global, label, { logger });
  if (!core) return 1;
  try {
    return await run(core);
  } catch (error) {
    const { code, message } = toTandemError(error);
    process.stderr.write(`tandem ${label}: ${code}: ${message}\n`);
    return 1;
  } finally {
    await core.dispose();
  }
}
