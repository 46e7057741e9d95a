// Node module hooks for the desktop smoke test: `electron` (import or require) resolves to the stand-in.
const STAND_IN = new URL('./electron-stand-in.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true, format: 'module' };
  return nextResolve(specifier, context);
}
