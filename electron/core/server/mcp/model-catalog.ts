import type { CloudModel } from '../../../../shared/ipc/routes/providers';
import type { LocalModel } from '../../../../shared/ipc/domain';
import type { Core } from '../../app/create-core';
import { PRESETS } from '../../providers/presets';

/** A provider whose model list could not be read, and why. */
export interface ProviderProblem {
  provider: string;
  message: string;
}

/** Every usable local model (a header problem keeps one out). */
export async function localModels(core: Core): Promise<LocalModel[]> {
  return (await core.library.list()).filter((m) => m.problem === null);
}

/**
 * Every configured provider's models (live when the preset lists them, its
 * known models otherwise). A provider that fails is reported, not fatal.
 */
export async function cloudModels(core: Core, freeOnly = false): Promise<{ models: (CloudModel & { provider: string })[]; problems: ProviderProblem[] }> {
  const providers = await core.providers.list();
  const problems: ProviderProblem[] = [];
  const lists = await Promise.all(
    providers.map(async (p) => {
      try {
        const models = await core.providers.models(p.name, freeOnly, PRESETS[p.preset].listsModels);
        return models.map((m) => ({ ...m, provider: p.name }));
      } catch (error) {
        problems.push({ provider: p.name, message: (error as Error).message });
        return [];
      }
    }),
  );
  return { models: lists.flat(), problems };
}

