import type { TandemBridge } from '../../../shared/ipc/bridge';
import type { Result } from '../../../shared/ipc/result';
import { asServerMessage } from './push-message-guard';
import type { ConnectionStatus, PushMessage, Transport } from './transport';

const OPEN: ConnectionStatus = { state: 'open', failures: 0, retryAt: null };

/** The desktop app's transport: the preload's narrow bridge, always connected. */
export class IpcTransport implements Transport {
  readonly kind = 'ipc';

  constructor(private readonly bridge: TandemBridge) {}

  request(route: string, input: unknown): Promise<Result<unknown>> {
    return this.bridge.request(route, input);
  }

  subscribe(listener: (message: PushMessage) => void): () => void {
    return this.bridge.subscribe((raw) => {
      const message = asServerMessage(raw);
      if (message && message.type !== 'response') listener(message);
    });
  }

  status(): ConnectionStatus {
    return OPEN;
  }

  onStatus(): () => void {
    return () => undefined;
  }

  close(): void {}
}
