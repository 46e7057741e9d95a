import { useMemo } from 'react';
import type { LocalModel } from '../../../../shared/ipc/domain';
import type { CloudModel } from '../../../../shared/ipc/routes/providers';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import { useAppStore } from '../../store/store-context';

/** A model a person can pick for a compare column or a strategy step. */
export interface ModelOption {
  id: string;
  label: string;
  /** "Auto", "On this computer", or the provider's name. */
  group: string;
}

/** The models the picker offers, in its order: Auto, usable local models, then each provider's models. */
export function modelOptions(models: readonly LocalModel[], cloudModels: Readonly<Record<string, readonly CloudModel[]>>): ModelOption[] {
  const local = models.filter((m) => m.problem === null);
  const cloud = Object.entries(cloudModels).filter(([, list]) => list.length > 0);
  if (local.length === 0 && cloud.length === 0) return [];
  return [
    { id: AUTO_MODEL_ID, label: 'Auto', group: 'Auto' },
    ...local.map((m) => ({ id: m.id, label: m.name, group: 'On this computer' })),
    ...cloud.flatMap(([provider, list]) => list.map((m) => ({ id: m.id, label: m.id, group: provider }))),
  ];
}

export function useModelOptions(): ModelOption[] {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  return useMemo(() => modelOptions(models, cloudModels), [models, cloudModels]);
}

/** A model's name for people: "Auto", a local model's name, or `PROVIDER/MODEL`. */
export function useModelName(): (modelId: string) => string {
  const models = useAppStore((s) => s.models);
  return useMemo(() => {
    const names = new Map(models.map((m) => [m.id, m.name]));
    return (modelId: string) => (modelId === AUTO_MODEL_ID ? 'Auto' : (names.get(modelId) ?? modelId));
  }, [models]);
}

/** Options grouped as the picker groups them, in order. */
export function groupOptions(options: readonly ModelOption[]): [string, ModelOption[]][] {
  const groups = new Map<string, ModelOption[]>();
  for (const option of options) {
    const list = groups.get(option.group) ?? [];
    list.push(option);
    groups.set(option.group, list);
  }
  return [...groups];
}
