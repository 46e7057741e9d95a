import { resolve } from 'node:path';
import { toTandemError } from '../../../shared/ipc/errors';
import { PresetIdSchema, ProviderNameSchema } from '../../../shared/ipc/routes/providers';
import { createLogger } from '../app/logger';
import { ProviderService } from '../providers/provider-service';
import type { GlobalOptions } from './main';
import { printConfigProblems } from './open-cli-core';

export interface ProvidersCommandOptions {
  baseUrl?: string;
  apiKeyEnv?: string;
  preset?: string;
}

/**
 * `tandem providers add|list|test|remove`: configure cloud and
 * OpenAI-compatible providers. Keys come from env vars (or the data dir's
 * `.env`); a key is never printed, only its masked form.
 */
export async function runProviders(global: GlobalOptions, args: string[], options: ProvidersCommandOptions): Promise<number> {
  const [action, name] = args;
  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn');
  const service = new ProviderService({ dataDir: resolve(global.dataDir), logger });
  try {
    await service.init();
    printConfigProblems(service.store.configProblem);
    switch (action) {
      case 'list': {
        const providers = await service.list();
        if (providers.length === 0) process.stdout.write('No providers yet. Add one: tandem providers add NAME --preset openai\n');
        for (const p of providers) {
          const key = p.maskedKey ? `key ${p.maskedKey} (${p.keySource})` : p.apiKeyEnv ? `no key (set ${p.apiKeyEnv})` : 'no key';
          process.stdout.write(`${p.name}\t${p.preset}\t${p.baseUrl}\t${key}\n`);
        }
        return 0;
      }
      case 'add': {
        if (!name || !ProviderNameSchema.safeParse(name).success) return usage('add needs a NAME of lowercase letters, digits, _ and -');
        const preset = PresetIdSchema.safeParse(options.preset ?? 'custom');
        if (!preset.success) return usage(`--preset must be one of ${PresetIdSchema.options.join(', ')}`);
        if (options.baseUrl !== undefined && !/^https?:\/\/\S+$/.test(options.baseUrl)) return usage('--base-url must be an http(s) URL');
        if (options.apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.apiKeyEnv)) return usage('--api-key-env must be an environment variable name');
        const info = await service.add({ name, preset: preset.data, baseUrl: options.baseUrl, apiKeyEnv: options.apiKeyEnv });
        process.stdout.write(`Added ${info.name} (${info.preset}) at ${info.baseUrl}${info.maskedKey ? `, key ${info.maskedKey} from ${info.keySource}` : ''}\n`);
        return 0;
      }
      case 'remove': {
        if (!name) return usage('remove needs a NAME');
        await service.remove(name);
        process.stdout.write(`Removed ${name}\n`);
        return 0;
      }
      case 'test': {
        if (!name) return usage('test needs a NAME');
        const { latencyMs, models } = await service.test(name);
        process.stdout.write(`${name}: OK in ${latencyMs} ms, ${models.length} model(s)\n`);
        for (const m of models) {
          const price = m.pricing ? `$${m.pricing.inputPerMillion}/$${m.pricing.outputPerMillion} per M` : 'price unknown';
          const caps = Object.entries(m.capabilities).filter(([, on]) => on).map(([cap]) => cap).join(',') || '-';
          process.stdout.write(`  ${m.id}\tctx ${m.contextWindow ?? '?'}\t${caps}\t${m.free ? 'free' : price}\n`);
        }
        return 0;
      }
      default:
        return usage(action ? `unknown action "${action}"` : 'give an action: add, list, test or remove');
    }
  } catch (error) {
    const { code, message } = toTandemError(error);
    process.stderr.write(`tandem providers: ${code}: ${message}\n`);
    return 1;
  } finally {
    await service.dispose();
  }
}

function usage(problem: string): number {
  process.stderr.write(`tandem providers: ${problem}\nRun \`tandem --help\` for usage.\n`);
  return 2;
}
