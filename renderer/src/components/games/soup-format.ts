import { useMemo } from 'react';
import type { LocalModel } from '../../../../shared/ipc/domain';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import type { Difficulty, GameStatus, GameView, SoupAnswer } from '../../../../shared/ipc/routes/soup';
import { useAppStore } from '../../store/store-context';

export const ANSWER_LABELS: Record<SoupAnswer, string> = {
  yes: 'Yes',
  no: 'No',
  irrelevant: 'Irrelevant',
  'yes-and-no': 'Yes and no',
};

export const STATUS_LABELS: Record<GameStatus, string> = {
  playing: 'Playing',
  solved: 'Solved',
  'gave-up': 'Gave up',
  'out-of-questions': 'Out of questions',
};

export const DIFFICULTY_LABELS: Record<Difficulty, string> = {
  easy: 'Easy',
  medium: 'Medium',
  hard: 'Hard',
};

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function factsFound(game: GameView): number {
  return game.factsFoundAt.filter((at) => at !== null).length;
}

/** "Questions: 3 of 30 · Hints: 1 of 3 · 2 of 4 key facts found". */
export function statusLine(game: GameView): string {
  return `Questions: ${game.questionsAsked} of ${game.questionBudget} · Hints: ${game.hintsUsed} of ${game.hintsTotal} · ${factsFound(game)} of ${game.keyFactCount} key facts found`;
}

/** Encoders (bert and kin) embed text; they cannot host a game. */
export function isChatModel(model: LocalModel): boolean {
  return model.problem === null && !/bert|t5encoder/i.test(model.architecture ?? '');
}

export interface HostOption {
  id: string;
  label: string;
  disabledReason: string | null;
}

/**
 * The models that can host, in the picker's order: this computer's chat models first, then Auto, then each
 * provider's; and the one to use (the player's choice while it is still there, else the first local chat model).
 */
export function useHostModels(chosen: string | null): { groups: { label: string; options: HostOption[] }[]; modelId: string | null } {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  return useMemo(() => {
    const cloud = Object.entries(cloudModels).filter(([, list]) => list.length > 0);
    const chat = models.filter((m) => !/bert|t5encoder/i.test(m.architecture ?? ''));
    const groups: { label: string; options: HostOption[] }[] = [];
    if (chat.length > 0) {
      groups.push({
        label: 'On this computer',
        options: chat.map((m) => ({ id: m.id, label: m.name, disabledReason: m.problem === null ? null : `can't be used: ${m.problem}` })),
      });
    }
    const canAuto = chat.some(isChatModel) || cloud.length > 0;
    if (canAuto) groups.push({ label: 'Router', options: [{ id: AUTO_MODEL_ID, label: 'Auto', disabledReason: null }] });
    for (const [provider, list] of cloud) groups.push({ label: provider, options: list.map((m) => ({ id: m.id, label: m.id, disabledReason: null })) });
    const usable = groups.flatMap((g) => g.options).filter((o) => o.disabledReason === null);
    const modelId = (chosen && usable.some((o) => o.id === chosen) ? chosen : null) ?? chat.find(isChatModel)?.id ?? usable[0]?.id ?? null;
    return { groups, modelId };
  }, [models, cloudModels, chosen]);
}
