import type { ModelDetails } from '../../../shared/ipc/routes/models';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';
import { runDownloadCommand } from './models-pull-command';

export interface ModelsCommandOptions {
  json: boolean;
  contextSize?: number;
}

/**
 * `tandem models list` and `tandem models inspect FILE_OR_ID`: what the
 * Models page shows, in a terminal. `--json` prints the same data as JSON.
 */
export async function runModels(global: GlobalOptions, args: string[], options: ModelsCommandOptions): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'pull' || sub === 'rm' || sub === 'catalog') return runDownloadCommand(global, sub, rest, options);
  if (sub !== 'list' && sub !== 'inspect') {
    process.stderr.write('tandem models: use `tandem models list|inspect FILE_OR_ID|catalog|pull URI_OR_CATALOG_ID|rm ID`\n');
    return 2;
  }
  if (sub === 'inspect' && rest.length !== 1) {
    process.stderr.write('tandem models inspect: give one model (a .gguf path or a model id)\n');
    return 2;
  }
  return withCliCore(global, `models ${sub}`, async (core) => {
    if (sub === 'list') {
      const models = await core.library.list(true);
      const rows = await Promise.all(
        models.map(async (model) => (model.problem ? { model, details: null } : { model, details: await core.runtime.inspector.details(model).catch(() => null) })),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows.map(({ model, details }) => details ?? model), null, 2)}\n`);
        return 0;
      }
      if (rows.length === 0) {
        process.stdout.write('No models found. Put .gguf files in a models folder or pass --models-dir DIR.\n');
        return 0;
      }
      const table = [
        ['ID', 'ARCH', 'PARAMS', 'QUANT', 'CONTEXT', 'SIZE', 'CHAT', 'TOOLS', 'STATUS'],
        ...rows.map(({ model, details }) => [
          model.id,
          model.architecture ?? '-',
          details ? formatCount(details.parameterCount) : '-',
          details?.quantization ?? '-',
          details?.trainedContextLength ? String(details.trainedContextLength) : '-',
          formatBytes(model.sizeBytes),
          details ? (details.embeddingOnly ? 'embed' : details.hasChatTemplate ? 'template' : 'no template') : '-',
          details?.toolCalling ? 'yes' : 'no',
          model.problem ? `broken: ${model.problem}` : details && !details.fit.fits ? 'does not fit' : 'ok',
        ]),
      ];
      process.stdout.write(formatTable(table));
      return 0;
    }
    const model = await core.library.resolve(rest[0]!);
    const details = await core.runtime.inspector.details(model, { contextSize: options.contextSize });
    if (options.json) process.stdout.write(`${JSON.stringify(details, null, 2)}\n`);
    else process.stdout.write(formatDetails(details));
    return 0;
  });
}

function formatDetails(d: ModelDetails): string {
  const lines: [string, string][] = [
    ['id', d.id],
    ['path', d.path],
    ['architecture', d.architecture ?? '-'],
    ['parameters', `${formatCount(d.parameterCount)} (${d.parameterCount})`],
    ['quantization', d.quantization ?? '-'],
    ['file size', formatBytes(d.sizeBytes)],
    ['trained context', d.trainedContextLength ? String(d.trainedContextLength) : '-'],
    ['layers', String(d.layers)],
    ['embedding size', d.embeddingLength ? String(d.embeddingLength) : '-'],
    ['kind', d.embeddingOnly ? 'embedding model' : 'chat / completion'],
    ['chat template', d.hasChatTemplate ? 'yes' : 'no'],
    ['chat format', d.chatWrapper ?? '-'],
    ['tool calling', d.toolCalling ? 'native' : 'no (tools can still be forced through a grammar)'],
    [
      'fit',
      `${d.fit.fits ? 'fits' : 'does not fit'} at context ${d.fit.contextSize}, ${d.fit.gpuLayers}/${d.fit.totalLayers} layers on the GPU: ` +
        `RAM ${formatBytes(d.fit.ramBytes)}, VRAM ${formatBytes(d.fit.vramBytes)} (score ${d.fit.score.toFixed(2)})`,
    ],
  ];
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join('');
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`).join('');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  if (count >= 1e3) return `${Math.round(count / 1e3)}K`;
  return String(count);
}
