import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/support/ is two levels down). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared test models live beside the repo (CI clones `shared/` next to it). */
export const sharedModelsDir = resolve(repoRoot, '..', 'shared', 'models');
export const storiesModelPath = join(sharedModelsDir, 'stories260K.gguf');
/** The id ModelLibrary gives stories260K.gguf when `sharedModelsDir` is a models folder. */
export const storiesModelId = 'stories260K';

/** The tiny real model, or a clear failure (never a silent skip) when the checkout lacks it. */
export function requireStoriesModel(): string {
  if (!existsSync(storiesModelPath)) {
    throw new Error(`The test model is missing: ${storiesModelPath}. Clone the shared folder beside the repo.`);
  }
  return storiesModelPath;
}

export const tandemBin = join(repoRoot, 'bin', 'tandem.mjs');
/** The repo's resources folder (model catalog, prices, puzzles), as bin/tandem.mjs names it. */
export const resourcesDir = join(repoRoot, 'resources');
