import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartCoalescer } from '../../../electron/core/rpc/part-coalescer';

describe('compare columns through the PartCoalescer', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  const text = (column: number, value: string) => ({ type: 'column', column, part: { type: 'text-delta', text: value } });

  it('merges a column’s consecutive text deltas, never two columns’, and keeps the order', () => {
    const sent: unknown[] = [];
    const coalescer = new PartCoalescer((part) => sent.push(part), 16);
    coalescer.push(text(0, 'Once'));
    expect(sent).toEqual([text(0, 'Once')]); // the first token is not delayed
    coalescer.push(text(0, ' upon'));
    coalescer.push(text(0, ' a'));
    coalescer.push(text(1, 'Hi'));
    coalescer.push(text(1, ' there'));
    coalescer.push({ type: 'column', column: 0, part: { type: 'finish', reason: 'stop' } });
    coalescer.push({ type: 'column-stats', column: 0, stats: {} });
    coalescer.flush();
    expect(sent).toEqual([
      text(0, 'Once'),
      text(0, ' upon a'),
      text(1, 'Hi there'),
      { type: 'column', column: 0, part: { type: 'finish', reason: 'stop' } },
      { type: 'column-stats', column: 0, stats: {} },
    ]);
  });

  it('does not merge a column’s text with a plain chat delta', () => {
    const sent: unknown[] = [];
    const coalescer = new PartCoalescer((part) => sent.push(part), 16);
    coalescer.push({ type: 'text-delta', text: 'a' });
    coalescer.push({ type: 'text-delta', text: 'b' });
    coalescer.push(text(0, 'c'));
    coalescer.flush();
    expect(sent).toEqual([{ type: 'text-delta', text: 'a' }, { type: 'text-delta', text: 'b' }, text(0, 'c')]);
  });
});
