import type { RuntimeInfo, RuntimeVariant } from '../../../shared/ipc/routes/runtime';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

export interface RuntimeSlice {
  /** The llama.cpp runtime, CPU features, local build, build progress and measured threads. */
  runtimeInfo: RuntimeInfo | null;
  runtimeStatus: LoadStatus;
  /** Why the last runtime action failed (a build that fails reports in runtimeInfo.build.error instead). */
  runtimeError: string | null;
  loadRuntime(): Promise<void>;
  receiveRuntime(info: RuntimeInfo): void;
  /** "Build for this computer". */
  buildRuntime(): Promise<void>;
  cancelRuntimeBuild(): Promise<void>;
  chooseRuntime(variant: RuntimeVariant): Promise<void>;
}

export const createRuntimeSlice: SliceCreator<RuntimeSlice> = (set, _get, { client }) => {
  const act = async (work: () => Promise<RuntimeInfo | null>) => {
    set({ runtimeError: null });
    try {
      const info = await work();
      if (info) set({ runtimeInfo: info, runtimeStatus: 'ready' });
    } catch (error) {
      set({ runtimeError: describeError(error) });
    }
  };
  return {
    runtimeInfo: null,
    runtimeStatus: 'idle',
    runtimeError: null,
    loadRuntime: async () => {
      set((s) => ({ runtimeStatus: s.runtimeInfo ? s.runtimeStatus : 'loading' }));
      try {
        set({ runtimeInfo: await client.request('runtime.info', {}), runtimeStatus: 'ready', runtimeError: null });
      } catch (error) {
        set({ runtimeStatus: 'error', runtimeError: describeError(error) });
      }
    },
    receiveRuntime: (info) => set({ runtimeInfo: info, runtimeStatus: 'ready' }),
    buildRuntime: () => act(() => client.request('runtime.build', {})),
    cancelRuntimeBuild: () =>
      act(async () => {
        await client.request('runtime.cancelBuild', {});
        return null;
      }),
    chooseRuntime: (variant) => act(() => client.request('runtime.use', { variant })),
  };
};
