import type { ResponseMessage } from '../../../shared/ipc/wire';
import type { PushMessage } from './transport';

type Incoming = ResponseMessage | PushMessage;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * A cheap structural check of what arrives from the backend, so a malformed
 * frame is dropped at the edge instead of breaking the store.
 */
export function asServerMessage(value: unknown): Incoming | null {
  if (!isRecord(value)) return null;
  switch (value.type) {
    case 'response':
      return typeof value.id === 'number' && isRecord(value.result) && typeof value.result.ok === 'boolean'
        ? (value as unknown as ResponseMessage)
        : null;
    case 'stream':
      return typeof value.streamId === 'string' &&
        typeof value.seq === 'number' &&
        (value.kind === 'part' || (value.kind === 'end' && typeof value.status === 'string'))
        ? (value as unknown as PushMessage)
        : null;
    case 'event':
      return typeof value.event === 'string' ? (value as unknown as PushMessage) : null;
    default:
      return null;
  }
}
