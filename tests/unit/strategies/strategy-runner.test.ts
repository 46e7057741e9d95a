import { describe, expect, test } from 'vitest';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { LanguageModel } from '../../../electron/core/models/language-model';
import { StrategyRunner } from '../../../electron/core/strategies/strategy-runner';
import { ScriptedModel } from '../../support/routing-fixtures';

const words = (n: number): StreamPart[] => [...Array.from({ length: n }, (_, i): StreamPart => ({ type: 'text-delta', text: `w${i} ` })), { type: 'finish', reason: 'stop' }];

describe('StrategyRunner', () => {
  test('when the chat turn stops reading (it ended or threw), the pipeline stops too: no later (cloud) step is asked', async () => {
    const draft = new ScriptedModel('local-draft', words(30));
    const refine = new ScriptedModel('cloud/refiner', words(3));
    const models = new Map<string, LanguageModel>([
      ['local-draft', draft],
      ['cloud/refiner', refine],
    ]);
    const runner = new StrategyRunner({ resolveModel: async (id) => models.get(id)!, isCloud: (id) => id.includes('/') });
    const prepared = await runner.prepare({
      chatId: 'chat',
      settings: {},
      strategy: { kind: 'draft-refine', draftModelId: 'local-draft', refineModelId: 'cloud/refiner' },
      question: 'hi',
      userText: 'hi',
      history: [],
      toPrompt: () => [],
      request: { maxTokens: 16 },
    });
    const seen: StreamPart[] = [];
    // The caller's own signal never aborts: the consumer just leaves its loop (as the chat turn does when a save throws).
    for await (const part of prepared.stream(new AbortController().signal)) {
      seen.push(part);
      if (part.type === 'step-delta') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.some((p) => p.type === 'step-delta')).toBe(true);
    expect(draft.calls).toBe(1);
    expect(refine.calls).toBe(0);
  });
});
