/**
 * A queue of at most `capacity` items between one producer and one consumer:
 * `push` waits while it is full, so a fast stage (parsing) runs only a few
 * items ahead of a slow one (embedding) instead of holding a whole folder in memory.
 */
export class BoundedChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private closed = false;
  private readers: (() => void)[] = [];
  private writers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((resolve) => this.writers.push(resolve));
    if (this.closed) return;
    this.items.push(item);
    this.wake(this.readers);
  }

  close(): void {
    this.closed = true;
    this.wake(this.readers);
    this.wake(this.writers);
  }

  private wake(waiters: (() => void)[]): void {
    const all = waiters.splice(0, waiters.length);
    for (const resolve of all) resolve();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.wake(this.writers);
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
  }
}
