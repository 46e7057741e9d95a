/** A push-to-pull bridge: callbacks push items, a `for await` loop pulls them. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    // Resume the consumer on the next turn of the event loop, not in a microtask: the producer
    // (node-llama-cpp's token loop) then starts computing the next token first, and what the
    // consumer does with this one (saving it, sending it over a socket) overlaps with that work
    // instead of delaying it. Items pushed meanwhile are drained together.
    setImmediate(waiter);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        // drain everything that arrived in one go; yields stay in order
        const batch = this.items.splice(0, this.items.length);
        for (const item of batch) yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
