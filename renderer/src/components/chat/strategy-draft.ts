import type { Strategy, StrategyKind } from '../../../../shared/ipc/chat-settings';

/** The strategy section's form state (strings, as the controls hold them). */
export interface StrategyDraft {
  kind: StrategyKind | 'none';
  draftModelId: string;
  refineModelId: string;
  condenseModelId: string;
  answerModelId: string;
  modelIds: string[];
  samples: string;
  judgeModelId: string;
  rubric: string;
}

export const STRATEGY_KINDS: { value: StrategyDraft['kind']; label: string; hint: string }[] = [
  { value: 'none', label: 'One model', hint: 'The chat’s model answers alone.' },
  { value: 'draft-refine', label: 'Draft and refine', hint: 'A (local) model drafts; a (cloud) model improves the draft. The answer shows the draft and what changed.' },
  { value: 'condense', label: 'Condense', hint: 'With collections: a (local) model condenses the retrieved passages to what answers the question before the answer model sees them.' },
  { value: 'best-of-n', label: 'Best of N with a judge', hint: 'Several models (or samples) answer; a local judge scores each against the rubric and the best is shown.' },
];

export const MAX_BEST_OF_N_MODELS = 4;

/** The form state for a saved strategy (or none), with empty model fields where it has none. */
export function strategyDraftFrom(strategy: Strategy | undefined): StrategyDraft {
  const blank: StrategyDraft = {
    kind: 'none',
    draftModelId: '',
    refineModelId: '',
    condenseModelId: '',
    answerModelId: '',
    modelIds: [],
    samples: '',
    judgeModelId: '',
    rubric: '',
  };
  if (!strategy) return blank;
  switch (strategy.kind) {
    case 'draft-refine':
      return { ...blank, kind: strategy.kind, draftModelId: strategy.draftModelId, refineModelId: strategy.refineModelId };
    case 'condense':
      return { ...blank, kind: strategy.kind, condenseModelId: strategy.condenseModelId, answerModelId: strategy.answerModelId };
    case 'best-of-n':
      return {
        ...blank,
        kind: strategy.kind,
        modelIds: strategy.modelIds,
        samples: strategy.samples === undefined ? '' : String(strategy.samples),
        judgeModelId: strategy.judgeModelId,
        rubric: strategy.rubric ?? '',
      };
  }
}

/** The strategy to save: undefined for "One model", null while a required field is missing or wrong. */
export function strategyFromDraft(draft: StrategyDraft): Strategy | undefined | null {
  switch (draft.kind) {
    case 'none':
      return undefined;
    case 'draft-refine':
      return draft.draftModelId && draft.refineModelId ? { kind: 'draft-refine', draftModelId: draft.draftModelId, refineModelId: draft.refineModelId } : null;
    case 'condense':
      return draft.condenseModelId && draft.answerModelId ? { kind: 'condense', condenseModelId: draft.condenseModelId, answerModelId: draft.answerModelId } : null;
    case 'best-of-n': {
      const samples = draft.samples.trim() === '' ? undefined : Number(draft.samples);
      if (samples !== undefined && (!Number.isInteger(samples) || samples < 1 || samples > 4)) return null;
      if (draft.modelIds.length < 1 || draft.modelIds.length > MAX_BEST_OF_N_MODELS || !draft.judgeModelId) return null;
      return {
        kind: 'best-of-n',
        modelIds: draft.modelIds,
        ...(samples !== undefined ? { samples } : {}),
        judgeModelId: draft.judgeModelId,
        ...(draft.rubric.trim() ? { rubric: draft.rubric.trim() } : {}),
      };
    }
  }
}
