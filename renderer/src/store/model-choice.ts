import type { LocalModel } from '../../../shared/ipc/domain';

export function isUsable(model: LocalModel): boolean {
  return model.problem === null;
}

/** The first of `preferred` that is a usable model, else the first usable model, else null. */
export function chooseModel(models: readonly LocalModel[], preferred: ReadonlyArray<string | null | undefined>): string | null {
  for (const id of preferred) {
    if (id && models.some((model) => model.id === id && isUsable(model))) return id;
  }
  return models.find(isUsable)?.id ?? null;
}
