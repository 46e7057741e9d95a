import type { BuildProgress, RuntimeInfo } from '../../../shared/ipc/routes/runtime';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

const USAGE = 'tandem runtime: use `tandem runtime info [--json]`, `tandem runtime build` or `tandem runtime use prebuilt|local|auto`\n';

/** `tandem runtime info|build|use`: the llama.cpp runtime local models run on. */
export async function runRuntime(global: GlobalOptions, args: string[], options: { json: boolean } = { json: false }): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'info' && rest.length === 0) {
    return withCliCore(global, 'runtime info', async (core) => {
      const info = await core.runtimeService.info();
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : describe(info));
      return 0;
    });
  }
  if (sub === 'build' && rest.length === 0) {
    return withCliCore(global, 'runtime build', async (core) => {
      const onSigint = () => {
        process.stderr.write('\nCancelling the build…\n');
        core.runtimeService.cancelBuild();
      };
      process.once('SIGINT', onSigint);
      let lastPercent = -1;
      const onProgress = (progress: BuildProgress) => {
        const percent = progress.progress === null ? -1 : Math.floor(progress.progress * 100);
        if (percent === lastPercent || percent < 0) return;
        lastPercent = percent;
        process.stderr.write(`[tandem] ${progress.state === 'checking' ? 'checking' : 'building'}: ${percent}%\n`);
      };
      // the build log streams to stderr; progress lines every few percent
      const onLine = (line: string) => process.stderr.write(`${line}\n`);
      try {
        const done = await core.runtimeService.build({ onLine, onProgress });
        if (done.state === 'succeeded') {
          const info = await core.runtimeService.info();
          process.stdout.write(`Built for this computer and checked: ${info.localBuild?.path ?? ''}\nIt is used from the next model load (runtime: ${info.variant}).\n`);
          return 0;
        }
        if (done.state === 'cancelled') {
          process.stderr.write('The build was cancelled; the prebuilt runtime stays in use.\n');
          return 130;
        }
        process.stderr.write(`tandem runtime build: ${done.error ?? 'the build failed'}\n`);
        return 1;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
  }
  if (sub === 'use' && rest.length === 1 && ['prebuilt', 'local', 'auto'].includes(rest[0]!)) {
    return withCliCore(global, 'runtime use', async (core) => {
      const info = await core.runtimeService.use(rest[0] as 'prebuilt' | 'local' | 'auto');
      process.stdout.write(`Runtime: ${info.variant} (next model load: ${info.active.label})\n`);
      return 0;
    });
  }
  process.stderr.write(USAGE);
  return 2;
}

function describe(info: RuntimeInfo): string {
  const lines = [
    `Runtime:     ${info.active.label}${info.active.llamaCppRelease ? ` (llama.cpp ${info.active.llamaCppRelease})` : ''}`,
    `Choice:      ${info.variant}`,
  ];
  if (info.fallbackReason) lines.push(`Note:        ${info.fallbackReason}; the prebuilt is used`);
  lines.push(`CPU:         ${info.cpu.cores} cores; ${info.cpu.features.join(' ') || 'features unknown'}`);
  if (info.localBuild) {
    const check = info.localBuild.check;
    lines.push(
      `Local build: ${info.localBuild.path}`,
      `             llama.cpp ${info.localBuild.llamaCppRelease}, built ${info.localBuild.builtAt}; check: ${check ? (check.ok ? `passed (${check.tokens} greedy tokens same as the prebuilt)` : `failed: ${check.reason}`) : 'not checked'}`,
    );
  } else lines.push('Local build: none');
  lines.push(
    info.toolchain.available
      ? `Toolchain:   ${info.toolchain.cmake}; ${info.toolchain.compiler} (\`tandem runtime build\` builds for this computer)`
      : `Toolchain:   missing ${info.toolchain.missing.join(', ')}. ${info.toolchain.installHint ?? ''}`,
  );
  for (const c of info.calibrations) {
    lines.push(`Threads:     ${c.modelName} on ${c.runtime}: chat ${c.chatThreads}, generation ${c.generationThreads}, prompt ${c.batchThreads} (measured ${c.measuredAt})`);
  }
  return `${lines.join('\n')}\n`;
}
