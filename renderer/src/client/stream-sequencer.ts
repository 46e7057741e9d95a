import type { StreamMessage } from '../../../shared/ipc/wire';

/**
 * Hands a stream's messages on in `seq` order, holding back any that arrive
 * early and dropping duplicates. Reports when the final `end` has been
 * delivered.
 */
export class StreamSequencer {
  private next = 0;
  private readonly early = new Map<number, StreamMessage>();
  private ended = false;

  constructor(private readonly deliver: (message: StreamMessage) => void) {}

  get done(): boolean {
    return this.ended;
  }

  push(message: StreamMessage): void {
    if (this.ended || message.seq < this.next) return;
    if (message.seq > this.next) {
      this.early.set(message.seq, message);
      return;
    }
    this.emit(message);
    for (let queued = this.early.get(this.next); queued && !this.ended; queued = this.early.get(this.next)) {
      this.early.delete(queued.seq);
      this.emit(queued);
    }
  }

  private emit(message: StreamMessage): void {
    this.next = message.seq + 1;
    if (message.kind === 'end') {
      this.ended = true;
      this.early.clear();
    }
    this.deliver(message);
  }
}
