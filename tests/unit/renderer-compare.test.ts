import { describe, expect, it } from 'vitest';
import { applyCompareParts, type LiveCompareColumn } from '../../renderer/src/store/compare-parts';
import { applyParts } from '../../renderer/src/store/stream-reducer';
import { messageRows } from '../../renderer/src/components/compare/compare-rows';
import { formatAnswerStats } from '../../renderer/src/components/compare/compare-stats';
import { strategyDraftFrom, strategyFromDraft } from '../../renderer/src/components/chat/strategy-draft';
import { countChanges } from '../../renderer/src/components/chat/steps-word-diff';
import type { Strategy } from '../../shared/ipc/chat-settings';
import type { ChatMessage } from '../../shared/ipc/domain';
import type { AnswerStats, StepRecord } from '../../shared/ipc/stream-parts';

const message = (id: string, role: ChatMessage['role'], extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  role,
  text: '',
  createdAt: new Date(0).toISOString(),
  status: role === 'assistant' ? 'streaming' : 'complete',
  modelId: null,
  finishReason: null,
  usage: null,
  error: null,
  ...extra,
});

const column = (n: number): LiveCompareColumn => ({
  column: n,
  label: 'ABCD'[n]!,
  modelId: `m${n}`,
  message: message(`a${n}`, 'assistant', { compare: { groupId: 'g', column: n, label: 'ABCD'[n]!, blind: false } }),
  reasoning: '',
  retry: null,
  queued: null,
  tools: [],
  stats: null,
  wait: null,
  stopping: false,
  ended: false,
});

const stats = (extra: Partial<AnswerStats> = {}): AnswerStats => ({
  ttftMs: 120,
  tokensPerSecond: 45.2,
  inputTokens: 12,
  outputTokens: 80,
  costUsd: 0.0004,
  durationMs: 1900,
  finishReason: 'stop',
  ...extra,
});

describe('live compare columns', () => {
  it('routes each part to its column; a finish or error ends only that column', () => {
    let columns = [column(0), column(1), column(2)];
    columns = applyCompareParts(columns, [
      { type: 'column-wait', column: 1, wait: 'memory', message: 'Waiting for memory' },
      { type: 'column', column: 0, part: { type: 'text-delta', text: 'Hello ' } },
      { type: 'column', column: 2, part: { type: 'error', code: 'RATE_LIMITED', message: 'slow down', retryable: true } },
      { type: 'column', column: 0, part: { type: 'text-delta', text: 'there' } },
      { type: 'column-stats', column: 0, stats: stats({ finishReason: null }) },
    ]);
    expect(columns[0]!.message.text).toBe('Hello there');
    expect(columns[0]!.ended).toBe(false);
    expect(columns[0]!.stats?.outputTokens).toBe(80);
    expect(columns[0]!.message.compare?.stats?.outputTokens).toBe(80);
    expect(columns[1]!.wait).toEqual({ wait: 'memory', message: 'Waiting for memory' });
    expect(columns[2]!.ended).toBe(true);
    expect(columns[2]!.message.status).toBe('error');
    expect(columns[2]!.message.error).toEqual({ code: 'RATE_LIMITED', message: 'slow down' });

    columns = applyCompareParts(columns, [
      { type: 'column-wait', column: 1, wait: null, message: '' },
      { type: 'column', column: 1, part: { type: 'text-delta', text: 'Late' } },
      { type: 'column', column: 0, part: { type: 'finish', reason: 'stop' } },
      { type: 'column', column: 1, part: { type: 'finish', reason: 'cancelled' } },
    ]);
    expect(columns[1]!.wait).toBeNull();
    expect(columns.map((c) => c.message.status)).toEqual(['complete', 'cancelled', 'error']);
    expect(columns.every((c) => c.ended)).toBe(true);
  });
});

describe('strategy steps as they stream', () => {
  it('a running step grows with its deltas and is replaced by its saved record', () => {
    const record: StepRecord = { step: 0, role: 'draft', modelId: 'local', label: 'Draft', text: 'A draft.', stats: stats(), error: null };
    let progress = { message: message('a', 'assistant'), reasoning: '' };
    progress = applyParts(progress, [
      { type: 'step-start', step: 0, role: 'draft', modelId: 'local', label: 'Draft' },
      { type: 'step-delta', step: 0, text: 'A ' },
      { type: 'step-delta', step: 0, text: 'dra' },
    ]);
    expect(progress.message.steps).toHaveLength(1);
    expect(progress.message.steps![0]!.text).toBe('A dra');
    expect(progress.message.steps![0]!.stats.finishReason).toBeNull();
    progress = applyParts(progress, [
      { type: 'step-end', record },
      { type: 'step-start', step: 1, role: 'refine', modelId: 'cloud/x', label: 'Refine' },
      { type: 'condensed', retrievedTokens: 900, sentTokens: 120, localOnlyWithheld: 2 },
      { type: 'text-delta', text: 'Final.' },
    ]);
    expect(progress.message.steps!.map((s) => s.label)).toEqual(['Draft', 'Refine']);
    expect(progress.message.steps![0]).toEqual(record);
    expect(progress.message.condensed).toEqual({ retrievedTokens: 900, sentTokens: 120, localOnlyWithheld: 2 });
    expect(progress.message.text).toBe('Final.');
  });
});

describe('compare rendering helpers', () => {
  it('puts the columns of a compare in one row, in column order, after their question', () => {
    const info = (column: number) => ({ compare: { groupId: 'g', column, label: 'ABC'[column]!, blind: true } });
    const rows = messageRows([
      message('u1', 'user'),
      message('c1', 'assistant', info(1)),
      message('c0', 'assistant', info(0)),
      message('c2', 'assistant', info(2)),
      message('u2', 'user'),
      message('a2', 'assistant'),
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['message', 'compare', 'message', 'message']);
    const group = rows[1]!;
    expect(group.kind === 'compare' && group.messages.map((m) => m.id)).toEqual(['c0', 'c1', 'c2']);
    expect(rows.map((r) => r.position)).toEqual([1, 2, 5, 6]);
  });

  it('writes the stats line a person reads', () => {
    expect(formatAnswerStats(stats())).toBe('TTFT 120 ms · 45 tok/s · 12 → 80 tokens · $0.0004 · stop');
    expect(formatAnswerStats(stats({ ttftMs: null, tokensPerSecond: null, costUsd: null, finishReason: null }))).toBe('TTFT — · — tok/s · 12 → 80 tokens · cost unknown');
    expect(formatAnswerStats(stats({ tokensPerSecond: 3.25, costUsd: 0, finishReason: 'length' }))).toBe('TTFT 120 ms · 3.3 tok/s · 12 → 80 tokens · $0 · length');
  });

  it('counts the words the refiner added and removed', () => {
    expect(countChanges('the cat sat', 'the black cat sat down')).toEqual({ added: 2, removed: 0 });
    expect(countChanges('one two three', 'one three')).toEqual({ added: 0, removed: 1 });
  });
});

describe('Chat settings → Strategy', () => {
  it('round-trips every strategy and refuses incomplete ones', () => {
    const strategies: Strategy[] = [
      { kind: 'draft-refine', draftModelId: 'local', refineModelId: 'cloud/x' },
      { kind: 'condense', condenseModelId: 'local', answerModelId: 'auto' },
      { kind: 'best-of-n', modelIds: ['local', 'cloud/x'], samples: 2, judgeModelId: 'local', rubric: 'Be right.' },
      { kind: 'best-of-n', modelIds: ['local'], judgeModelId: 'local' },
    ];
    for (const strategy of strategies) expect(strategyFromDraft(strategyDraftFrom(strategy))).toEqual(strategy);
    expect(strategyFromDraft(strategyDraftFrom(undefined))).toBeUndefined();
    const bestOfN = strategyDraftFrom(strategies[2]!);
    expect(strategyFromDraft({ ...bestOfN, modelIds: [] })).toBeNull();
    expect(strategyFromDraft({ ...bestOfN, samples: '5' })).toBeNull();
    expect(strategyFromDraft({ ...bestOfN, judgeModelId: '' })).toBeNull();
    expect(strategyFromDraft({ ...strategyDraftFrom(strategies[0]), refineModelId: '' })).toBeNull();
  });
});
