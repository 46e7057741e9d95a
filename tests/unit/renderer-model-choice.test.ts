import { describe, expect, test } from 'vitest';
import { formatCost, formatParameters } from '../../renderer/src/lib/format';
import { chooseModel } from '../../renderer/src/store/model-choice';
import type { LocalModel } from '../../shared/ipc/domain';
import type { CloudModel } from '../../shared/ipc/routes/providers';

const local = (id: string, problem: string | null = null): LocalModel => ({ id, name: id, path: `/m/${id}.gguf`, sizeBytes: 1, architecture: 'llama', problem });
const cloud = (id: string): CloudModel => ({
  id,
  model: id.split('/')[1] ?? id,
  contextWindow: null,
  capabilities: { tools: false, vision: false, json: false },
  pricing: null,
  free: false,
});

describe('choosing the model the next message goes to', () => {
  const models = [local('broken', 'not a GGUF'), local('tiny')];

  test('a saved cloud choice is kept once its provider listed it', () => {
    expect(chooseModel(models, ['fake/gpt-test'], { fake: [cloud('fake/gpt-test')] })).toBe('fake/gpt-test');
  });

  test('a cloud id no provider lists falls back to the first usable local model', () => {
    expect(chooseModel(models, ['gone/gpt-test'], { fake: [cloud('fake/gpt-test')] })).toBe('tiny');
  });

  test('with no usable local model, the first cloud model is chosen', () => {
    expect(chooseModel([local('broken', 'bad')], [null], { fake: [cloud('fake/a'), cloud('fake/b')] })).toBe('fake/a');
    expect(chooseModel([local('broken', 'bad')], [null])).toBeNull();
  });

  test('an unusable local file is never chosen, even when preferred', () => {
    expect(chooseModel(models, ['broken'])).toBe('tiny');
  });
});

describe('formatting what an answer cost', () => {
  test('small amounts to four decimals, tiny ones as under a hundredth of a cent', () => {
    expect(formatCost(0.00123)).toBe('$0.0012');
    expect(formatCost(0.00002)).toBe('<$0.0001');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(2.5)).toBe('$2.50');
  });

  test('parameter counts read like model cards', () => {
    expect(formatParameters(292_000)).toBe('292K');
    expect(formatParameters(7_240_000_000)).toBe('7.2B');
    expect(formatParameters(950)).toBe('950');
  });
});
