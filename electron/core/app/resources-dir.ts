import { join } from 'node:path';

/**
 * The environment variable an entry point sets to name the resources folder
 * for code that has no core options to receive it (bin/tandem.mjs,
 * bin/run-ts.mjs and the test config set it; the desktop app passes
 * `resourcesDir` to createCore instead).
 */
export const RESOURCES_DIR_ENV = 'TANDEM_RESOURCES_DIR';

/**
 * The files Tandem ships beside its code, all in ONE resources folder named
 * by the entry point: `process.resourcesPath` in the packaged app, the repo's
 * `resources/` in dev, serve mode, the CLI and tests. Nothing finds them by
 * counting `../` from its own source file (that breaks once bundled).
 */
export interface BundledResources {
  dir: string;
  /** The model catalog (Models → Download). */
  catalog: string;
  /** Prices per million tokens for cloud models. */
  pricing: string;
  /** Turtle Soup's builtin puzzle pack. */
  puzzles: string;
}

export function bundledResources(dir: string): BundledResources {
  return {
    dir,
    catalog: join(dir, 'model-catalog.json'),
    pricing: join(dir, 'pricing.json'),
    puzzles: join(dir, 'turtle-soup', 'puzzles.json'),
  };
}

/** The resources folder the entry point named: the explicit option, else TANDEM_RESOURCES_DIR; neither is a start-up error. */
export function resolveResourcesDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = explicit ?? env[RESOURCES_DIR_ENV];
  if (!dir) {
    throw new Error(
      `Tandem does not know where its resources folder is (model catalog, prices): start it through bin/tandem.mjs or npm start, or set ${RESOURCES_DIR_ENV} to the resources/ folder of the Tandem checkout.`,
    );
  }
  return dir;
}
