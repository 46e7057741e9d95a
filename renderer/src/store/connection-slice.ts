import type { ConnectionStatus, Transport } from '../client/transport';
import type { SliceCreator } from './app-state';

export interface ConnectionSlice {
  connection: ConnectionStatus;
  transportKind: Transport['kind'];
  setConnection(status: ConnectionStatus): void;
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, _get, { client }) => ({
  connection: client.connection(),
  transportKind: client.transportKind,
  setConnection: (connection) => set({ connection }),
});
