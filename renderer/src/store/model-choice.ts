import type { LocalModel } from '../../../shared/ipc/domain';
import type { CloudModel } from '../../../shared/ipc/routes/providers';
import { AUTO_MODEL_ID } from '../../../shared/ipc/routes/routing';

export function isUsable(model: LocalModel): boolean {
  return model.problem === null;
}

/**
 * The first of `preferred` that is Auto (while any model can answer), a usable local model or a known cloud model
 * (`PROVIDER/MODEL`), else the first usable local model, else the first cloud model, else null.
 */
export function chooseModel(
  models: readonly LocalModel[],
  preferred: ReadonlyArray<string | null | undefined>,
  cloudModels: Readonly<Record<string, readonly CloudModel[]>> = {},
): string | null {
  const cloud = Object.values(cloudModels).flat();
  for (const id of preferred) {
    if (!id) continue;
    if (id === AUTO_MODEL_ID && (models.some(isUsable) || cloud.length > 0)) return id;
    if (models.some((model) => model.id === id && isUsable(model))) return id;
    if (cloud.some((model) => model.id === id)) return id;
  }
  return models.find(isUsable)?.id ?? cloud[0]?.id ?? null;
}
