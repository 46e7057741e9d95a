import type { EventName, EventPayload } from '../../../shared/ipc/contract';
import type { ProviderService } from '../providers/provider-service';
import type { Handlers } from './handlers';
import { checkKeySource, checkKeySourceUpdate } from '../providers/key-source-policy';

type ProviderRoute = Extract<keyof Handlers, `providers.${string}`>;

/** Thin handlers for the providers.* routes; keys go in, only masked keys come out. */
export function createProviderHandlers(
  providers: ProviderService,
  _broadcast?: <E extends EventName>(event: E, payload: EventPayload<E>) => void,
): Pick<Handlers, ProviderRoute> {
  return {
    'providers.presets': () => providers.presets(),
    'providers.list': () => providers.list(),
    // Issue 15: no route may send an arbitrary environment variable to an arbitrary URL (see key-source-policy.ts).
    'providers.add': (input, { fromWindow }) => {
      checkKeySource({ preset: input.preset, baseUrl: input.baseUrl, apiKeyEnv: input.apiKeyEnv, fromWindow: fromWindow === true });
      return providers.add(input);
    },
    'providers.update': (input, { fromWindow }) => {
      checkKeySourceUpdate(providers.store.get(input.name), input, fromWindow === true);
      return providers.update(input);
    },
    'providers.remove': async ({ name }) => {
      await providers.remove(name);
      return { removed: true as const };
    },
    'providers.setKey': ({ name, apiKey }) => providers.setKey(name, apiKey),
    'providers.test': ({ name }) => providers.test(name),
    'providers.models': ({ name, freeOnly }) => providers.models(name, freeOnly ?? false),
    'providers.health': () => providers.health(),
  };
}
