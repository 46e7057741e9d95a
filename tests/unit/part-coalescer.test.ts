import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartCoalescer } from '../../electron/core/rpc/part-coalescer';

describe('PartCoalescer (fewer, larger stream messages)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('sends the first token at once, merges the burst after it, and loses no text', () => {
    const sent: unknown[] = [];
    const coalescer = new PartCoalescer((part) => sent.push(part), 16);
    coalescer.push({ type: 'text-delta', text: 'Once' });
    expect(sent).toEqual([{ type: 'text-delta', text: 'Once' }]); // time to first token is not delayed
    coalescer.push({ type: 'text-delta', text: ' upon' });
    coalescer.push({ type: 'text-delta', text: ' a' });
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toEqual([
      { type: 'text-delta', text: 'Once' },
      { type: 'text-delta', text: ' upon a' },
    ]);
  });

  it('keeps kinds apart and in order, and flushes held text before anything else', () => {
    const sent: unknown[] = [];
    const coalescer = new PartCoalescer((part) => sent.push(part), 16);
    coalescer.push({ type: 'reasoning-delta', text: 'hm' });
    coalescer.push({ type: 'text-delta', text: 'A' });
    coalescer.push({ type: 'text-delta', text: 'B' });
    coalescer.push({ type: 'finish', reason: 'stop' });
    coalescer.flush();
    expect(sent).toEqual([
      { type: 'reasoning-delta', text: 'hm' },
      { type: 'text-delta', text: 'AB' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('never merges or holds a retry notice: it goes out at once, between the text around it', () => {
    const sent: unknown[] = [];
    const coalescer = new PartCoalescer((part) => sent.push(part), 16);
    const retry = { type: 'retry', attempt: 2, maxAttempts: 3, delayMs: 1000, code: 'RATE_LIMITED', message: 'slow down' };
    coalescer.push(retry);
    coalescer.push({ type: 'retry', attempt: 3, maxAttempts: 3, delayMs: 1000, code: 'RATE_LIMITED', message: 'slow down' });
    expect(sent).toEqual([retry, { ...retry, attempt: 3 }]);
    coalescer.push({ type: 'text-delta', text: 'A' });
    coalescer.push({ type: 'text-delta', text: 'B' });
    coalescer.flush();
    expect(sent.slice(2)).toEqual([{ type: 'text-delta', text: 'AB' }]); // text after it still merges
  });

  it('sends each part alone when they come slower than the window (a slow model is not delayed)', () => {
    const sent: unknown[] = [];
    const coalescer = new PartCoalescer((part) => sent.push(part), 16);
    for (const text of ['a', 'b', 'c']) {
      coalescer.push({ type: 'text-delta', text });
      vi.advanceTimersByTime(50);
    }
    expect(sent).toEqual(['a', 'b', 'c'].map((text) => ({ type: 'text-delta', text })));
  });
});
