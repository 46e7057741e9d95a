import type { StreamPart } from '../../shared/ipc/stream-parts';
import type { ServerMessage, StreamMessage } from '../../shared/ipc/wire';

export type EndMessage = Extract<StreamMessage, { kind: 'end' }>;

/** What one stream delivered, as a client sees it. */
export interface StreamView {
  messages: StreamMessage[];
  parts: StreamPart[];
  text: string;
  end: EndMessage | undefined;
}

/** Groups the stream messages a client received by stream id. */
export function streamView(messages: readonly ServerMessage[], streamId: string): StreamView {
  const own = messages.filter((m): m is StreamMessage => m.type === 'stream' && m.streamId === streamId);
  const parts = own.flatMap((m) => (m.kind === 'part' ? [m.part as StreamPart] : []));
  return {
    messages: own,
    parts,
    text: parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join(''),
    end: own.find((m): m is EndMessage => m.kind === 'end'),
  };
}
