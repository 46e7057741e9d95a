import { CodedError } from '../../../shared/ipc/errors';
import type { RuntimeService } from '../models/runtime/runtime-service';
import type { Handlers } from './handlers';

type RuntimeRoute = 'runtime.info' | 'runtime.build' | 'runtime.cancelBuild' | 'runtime.use';

/** The llama.cpp runtime: info, "Build for this computer", the choice (null: UNSUPPORTED). */
export function createRuntimeHandlers(runtime: RuntimeService | null = null): Pick<Handlers, RuntimeRoute> {
  const service = () => {
    if (!runtime) throw new CodedError('UNSUPPORTED', 'The runtime panel is not available here');
    return runtime;
  };
  return {
    'runtime.info': () => service().info(),
    'runtime.build': () => service().startBuild(),
    'runtime.cancelBuild': () => ({ cancelled: service().cancelBuild() }),
    'runtime.use': ({ variant }) => service().use(variant),
  };
}
