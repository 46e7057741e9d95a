import { describe, expect, it } from 'vitest';
import type { PinnedRule, RouteFeatures, RoutingPriority } from '../../../shared/ipc/routes/routing';
import { decideRoute, looksLikeCode, type CandidateProfile, type PolicyInput } from '../../../electron/core/routing/router-policy';

const local: CandidateProfile = {
  modelId: 'qwen-7b',
  kind: 'local',
  provider: null,
  contextWindow: 8192,
  tools: false,
  json: true,
  price: null,
  priorQuality: 0.6,
  expectedTtftMs: 400,
  expectedTokensPerSec: 25,
};
const cheapCloud: CandidateProfile = {
  modelId: 'acme/mini',
  kind: 'cloud',
  provider: 'acme',
  contextWindow: 128_000,
  tools: true,
  json: true,
  price: { input: 0.15, output: 0.6 },
  priorQuality: 0.7,
  expectedTtftMs: 500,
  expectedTokensPerSec: 80,
};
const bigCloud: CandidateProfile = {
  modelId: 'acme/large',
  kind: 'cloud',
  provider: 'acme',
  contextWindow: 200_000,
  tools: true,
  json: true,
  price: { input: 3, output: 15 },
  priorQuality: 0.85,
  expectedTtftMs: 900,
  expectedTokensPerSec: 50,
};
const otherCloud: CandidateProfile = { ...bigCloud, modelId: 'other/large', provider: 'other' };

const features = (patch: Partial<RouteFeatures> = {}): RouteFeatures => ({
  promptTokens: 200,
  maxOutputTokens: 1024,
  needsTools: false,
  needsJsonSchema: false,
  localOnly: false,
  looksLikeCode: false,
  collectionIds: [],
  ...patch,
});

function decide(patch: Partial<PolicyInput> & { features?: RouteFeatures } = {}) {
  return decideRoute({
    features: features(),
    prompt: 'Explain photosynthesis',
    priority: 'balanced',
    rules: [],
    candidates: [local, cheapCloud, bigCloud],
    predictions: new Map(),
    budgetRefusal: () => null,
    circuitRefusal: () => null,
    ...patch,
  });
}

const excludedCode = (decision: ReturnType<typeof decide>, modelId: string) => decision.candidates.find((c) => c.modelId === modelId)?.excluded?.code ?? null;

describe('Auto decision table', () => {
  it('context too long for the local model → a cloud model, and says why', () => {
    const decision = decide({ features: features({ promptTokens: 20_000 }) });
    expect(decision.chosenModelId).not.toBe('qwen-7b');
    expect(decision.candidates.find((c) => c.modelId === decision.chosenModelId)!.kind).toBe('cloud');
    expect(excludedCode(decision, 'qwen-7b')).toBe('context-too-long');
    expect(decision.candidates.find((c) => c.modelId === 'qwen-7b')!.excluded!.reason).toMatch(/8192-token context/);
  });

  it('tools needed and the local model lacks them → a model with tools', () => {
    const decision = decide({ features: features({ needsTools: true }), candidates: [local, cheapCloud] });
    expect(decision.chosenModelId).toBe('acme/mini');
    expect(excludedCode(decision, 'qwen-7b')).toBe('no-tools');
  });

  it('a JSON schema → only models that honour one', () => {
    const decision = decide({ features: features({ needsJsonSchema: true }), candidates: [{ ...cheapCloud, json: false }, local] });
    expect(decision.chosenModelId).toBe('qwen-7b');
    expect(excludedCode(decision, 'acme/mini')).toBe('no-json-schema');
  });

  it('budget exhausted → local, with the cap named on every paid model', () => {
    const decision = decide({
      predictions: new Map([['acme/large', { quality: 0.99, samples: 50 }]]),
      budgetRefusal: () => 'Daily budget of $1.00 would be exceeded: $0.00 left today',
    });
    expect(decision.chosenModelId).toBe('qwen-7b');
    expect(excludedCode(decision, 'acme/large')).toBe('over-budget');
    expect(excludedCode(decision, 'acme/mini')).toBe('over-budget');
    expect(decision.candidates.find((c) => c.modelId === 'acme/large')!.excluded!.reason).toMatch(/Daily budget/);
  });

  it('privacy → local whatever else: better predictions, a pinned cloud rule, any priority', () => {
    for (const priority of ['balanced', 'quality', 'speed', 'cost', 'privacy'] as RoutingPriority[]) {
      const decision = decide({
        priority,
        features: features({ localOnly: true, looksLikeCode: true }),
        predictions: new Map([
          ['acme/large', { quality: 1, samples: 100 }],
          ['qwen-7b', { quality: 0.1, samples: 100 }],
        ]),
        rules: [{ id: 'r1', enabled: true, when: { type: 'prompt-looks-like-code' }, then: { type: 'model', modelId: 'acme/large' } }],
      });
      expect(decision.chosenModelId).toBe('qwen-7b');
      for (const id of ['acme/mini', 'acme/large']) expect(excludedCode(decision, id)).toBe('local-only-content');
    }
  });

  it('circuit open → the next candidate', () => {
    const decision = decide({
      priority: 'quality',
      candidates: [local, bigCloud, otherCloud],
      predictions: new Map([
        ['acme/large', { quality: 0.95, samples: 20 }],
        ['other/large', { quality: 0.9, samples: 20 }],
      ]),
      circuitRefusal: (c) => (c.provider === 'acme' ? 'acme is failing; its circuit is open' : null),
    });
    expect(excludedCode(decision, 'acme/large')).toBe('circuit-open');
    expect(decision.chosenModelId).toBe('other/large');
  });

  it('a pinned rule wins over the ranking (first match), and falls through when its model cannot take the request', () => {
    const rules: PinnedRule[] = [
      { id: 'off', enabled: false, when: { type: 'prompt-looks-like-code' }, then: { type: 'model', modelId: 'acme/large' } },
      { id: 'code', enabled: true, when: { type: 'prompt-looks-like-code' }, then: { type: 'model', modelId: 'acme/mini' } },
      { id: 'long', enabled: true, when: { type: 'tokens-over', tokens: 100 }, then: { type: 'local' } },
    ];
    const predictions = new Map([['acme/large', { quality: 0.99, samples: 99 }]]);
    const code = decide({ rules, predictions, features: features({ looksLikeCode: true }), priority: 'quality' });
    expect(code.chosenModelId).toBe('acme/mini');
    expect(code.rule).toMatch(/code → acme\/mini/);
    expect(code.reason).toMatch(/Pinned rule/);
    const long = decide({ rules, predictions, priority: 'quality' });
    expect(long.chosenModelId).toBe('qwen-7b');
    expect(long.rule).toMatch(/over 100 tokens → local/);
    // The pinned model over budget: the rule is skipped, the ranking decides.
    const skipped = decide({
      rules: [rules[1]!],
      predictions,
      features: features({ looksLikeCode: true }),
      priority: 'quality',
      budgetRefusal: (c) => (c.modelId === 'acme/mini' ? 'over' : null),
    });
    expect(skipped.rule).toBeNull();
    expect(skipped.chosenModelId).toBe('acme/large');
    const collection = decide({ rules: [{ id: 'c', enabled: true, when: { type: 'collection-attached', collectionId: 'contracts' }, then: { type: 'cloud' } }], features: features({ collectionIds: ['contracts'] }), priority: 'cost', candidates: [local, cheapCloud] });
    expect(collection.chosenModelId).toBe('acme/mini');
  });

  it('cost priority picks the cheapest that clears the quality bar, not the cheapest', () => {
    const tiny: CandidateProfile = { ...cheapCloud, modelId: 'acme/tiny', price: { input: 0.01, output: 0.02 } };
    const predictions = new Map([
      ['acme/tiny', { quality: 0.3, samples: 40 }],
      ['acme/mini', { quality: 0.82, samples: 40 }],
      ['acme/large', { quality: 0.86, samples: 40 }],
    ]);
    const decision = decide({ priority: 'cost', candidates: [tiny, cheapCloud, bigCloud], predictions });
    expect(decision.chosenModelId).toBe('acme/mini');
    const quality = decide({ priority: 'quality', candidates: [tiny, cheapCloud, bigCloud], predictions });
    expect(quality.chosenModelId).toBe('acme/large');
    expect(decision.candidates.map((c) => c.score)).toEqual([...decision.candidates.map((c) => c.score)].sort((a, b) => b! - a!));
  });

  it('speed priority prefers the faster of two equally good models', () => {
    const fast: CandidateProfile = { ...bigCloud, modelId: 'acme/fast', expectedTtftMs: 150, expectedTokensPerSec: 300 };
    const predictions = new Map([
      ['acme/fast', { quality: 0.8, samples: 30 }],
      ['acme/large', { quality: 0.8, samples: 30 }],
    ]);
    expect(decide({ priority: 'speed', candidates: [bigCloud, fast], predictions }).chosenModelId).toBe('acme/fast');
  });

  it('no usable model → no choice, and a reason that says what to do', () => {
    const none = decide({ candidates: [] });
    expect(none.chosenModelId).toBeNull();
    expect(none.reason).toMatch(/add a local model/);
    const privateNoLocal = decide({ candidates: [cheapCloud], features: features({ localOnly: true }) });
    expect(privateNoLocal.chosenModelId).toBeNull();
    expect(privateNoLocal.reason).toMatch(/add a local model for private or local-only content/);
  });

  it('reports every candidate with predicted quality, cost, speed and samples', () => {
    const decision = decide({ predictions: new Map([['acme/mini', { quality: 0.77, samples: 12 }]]) });
    const mini = decision.candidates.find((c) => c.modelId === 'acme/mini')!;
    expect(mini).toMatchObject({ predictedQuality: 0.77, qualitySamples: 12, expectedTtftMs: 500, kind: 'cloud', provider: 'acme', excluded: null });
    // 200 prompt tokens at $0.15/M + 400 expected output tokens at $0.60/M.
    expect(mini.estimatedCostUsd).toBeCloseTo((200 * 0.15 + 400 * 0.6) / 1e6, 10);
    expect(decision.candidates.find((c) => c.modelId === 'qwen-7b')!).toMatchObject({ predictedQuality: 0.6, qualitySamples: 0, estimatedCostUsd: 0 });
    expect(decision.features.promptTokens).toBe(200);
    expect(decision.decisionMs).toBeGreaterThanOrEqual(0);
  });
});

describe('looksLikeCode', () => {
  it('tells code from prose', () => {
    expect(looksLikeCode('def add(a, b):\n    return a + b')).toBe(true);
    expect(looksLikeCode('Why does this fail?\n```js\nconst x = 1;\n```')).toBe(true);
    expect(looksLikeCode('SELECT name FROM users WHERE id = 3')).toBe(true);
    expect(looksLikeCode('What is the capital of France?')).toBe(false);
    expect(looksLikeCode('Write me a poem about the sea, please.')).toBe(false);
  });
});
