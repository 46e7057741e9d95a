import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamSequencer } from '../../renderer/src/client/stream-sequencer';
import { applyParts, endMessage } from '../../renderer/src/store/stream-reducer';
import type { StreamMessage } from '../../shared/ipc/wire';
import type { ChatMessage } from '../../shared/ipc/domain';

const messagesFor = (count: number): StreamMessage[] => [
  ...Array.from({ length: count }, (_, seq): StreamMessage => ({
    type: 'stream',
    streamId: 's',
    seq,
    kind: 'part',
    part: { type: 'text-delta', text: `t${seq} ` },
  })),
  { type: 'stream', streamId: 's', seq: count, kind: 'end', status: 'completed' },
];

const assistant = (): ChatMessage => ({
  id: 'a',
  role: 'assistant',
  text: '',
  createdAt: new Date(0).toISOString(),
  status: 'streaming',
  modelId: 'm',
  finishReason: null,
  usage: null,
  error: null,
});

describe('renderer stream handling', () => {
  it('delivers parts in seq order exactly once, whatever order and duplicates arrive', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }).chain((count) =>
          fc.tuple(fc.constant(count), fc.shuffledSubarray(messagesFor(count), { minLength: count + 1 }), fc.array(fc.nat(count), { maxLength: 10 })),
        ),
        ([count, shuffled, duplicates]) => {
          const delivered: number[] = [];
          const sequencer = new StreamSequencer((message) => delivered.push(message.seq));
          const all = messagesFor(count);
          for (const message of [...shuffled, ...duplicates.map((seq) => all[seq]!)]) sequencer.push(message);
          expect(delivered).toEqual(all.map((m) => m.seq));
          expect(sequencer.done).toBe(true);
        },
      ),
    );
  });

  it('holds back the end until every part before it has arrived', () => {
    const delivered: string[] = [];
    const sequencer = new StreamSequencer((message) => delivered.push(message.kind));
    const [first, second, end] = messagesFor(2);
    sequencer.push(end!);
    sequencer.push(second!);
    expect(delivered).toEqual([]);
    sequencer.push(first!);
    expect(delivered).toEqual(['part', 'part', 'end']);
  });

  it('shows the retry the backend waits on until the first words, and drops it on an error', () => {
    const retry = { type: 'retry', attempt: 2, maxAttempts: 3, delayMs: 1000, code: 'RATE_LIMITED', message: 'slow down' } as const;
    const waiting = applyParts({ message: assistant(), reasoning: '' }, [retry]);
    expect(waiting.retry).toEqual(retry);
    expect(waiting.message.text).toBe('');
    const next = applyParts(waiting, [{ ...retry, attempt: 3 }]);
    expect(next.retry?.attempt).toBe(3);
    expect(applyParts(next, [{ type: 'text-delta', text: 'Hi' }]).retry).toBeNull();
    const failed = applyParts(next, [{ type: 'error', code: 'RATE_LIMITED', message: 'gave up', retryable: true }]);
    expect(failed.retry).toBeNull();
    expect(failed.message.error).toEqual({ code: 'RATE_LIMITED', message: 'gave up' });
  });

  it('keeps the context-trimmed notice on the answer, through its end', () => {
    const { message } = applyParts({ message: assistant(), reasoning: '' }, [
      { type: 'context-trimmed', droppedMessages: 4, droppedTokens: 120 },
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(message.contextTrimmed).toEqual({ droppedMessages: 4, droppedTokens: 120 });
    expect(endMessage(message, { status: 'completed' }).contextTrimmed).toEqual({ droppedMessages: 4, droppedTokens: 120 });
    expect(applyParts({ message: assistant(), reasoning: '' }, [{ type: 'text-delta', text: 'x' }]).message.contextTrimmed).toBeUndefined();
  });

  it('builds the answer a person sees from a batch of parts and its end', () => {
    const { message } = applyParts({ message: assistant(), reasoning: '' }, [
      { type: 'text-delta', text: 'Once ' },
      { type: 'text-delta', text: 'upon' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
      { type: 'finish', reason: 'cancelled' },
    ]);
    expect(message.text).toBe('Once upon');
    const ended = endMessage(message, { status: 'cancelled' });
    expect(ended.status).toBe('cancelled');
    expect(ended.usage).toEqual({ inputTokens: 3, outputTokens: 2 });
    expect(endMessage({ ...message, finishReason: 'stop' }, { status: 'failed', error: { code: 'MODEL_LOAD_FAILED', message: 'bad file' } })).toMatchObject({
      status: 'error',
      error: { code: 'MODEL_LOAD_FAILED', message: 'bad file' },
    });
  });
});
