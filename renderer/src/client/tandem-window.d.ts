import type { TandemBridge } from '../../../shared/ipc/bridge';

declare global {
  interface Window {
    /** Present only in the desktop app, where the preload exposes it. */
    tandem?: TandemBridge;
  }
}

export {};
