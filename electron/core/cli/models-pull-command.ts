import type { DownloadStatus } from '../../../shared/ipc/routes/downloads';
import { catalogItems, removeModel } from '../rpc/downloads-handlers';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';
import { formatBytes, formatCount, type ModelsCommandOptions } from './models-command';

/**
 * `tandem models pull URI|CATALOG_ID` (a progress line; Ctrl-C pauses and
 * running it again resumes), `tandem models rm ID` and `tandem models catalog`.
 */
export async function runDownloadCommand(
  global: GlobalOptions,
  sub: 'pull' | 'rm' | 'catalog',
  rest: string[],
  options: ModelsCommandOptions,
): Promise<number> {
  if (sub !== 'catalog' && rest.length !== 1) {
    process.stderr.write(sub === 'pull' ? 'tandem models pull: give one hf: URI, URL or catalog id\n' : 'tandem models rm: give one model id\n');
    return 2;
  }
  return withCliCore(global, `models ${sub}`, async (core) => {
    if (sub === 'rm') {
      const removed = await removeModel(rest[0]!, core);
      process.stdout.write(`Removed ${removed}\n`);
      return 0;
    }
    if (sub === 'catalog') {
      const items = catalogItems(await core.catalog(), await core.availableMemory(), await core.library.list(true));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        return 0;
      }
      const rows = [
        ['ID', 'KIND', 'PARAMS', 'QUANT', 'SIZE', 'CONTEXT', 'LICENSE', 'FIT', 'INSTALLED'],
        ...items.map((i) => [
          i.id,
          i.kind,
          formatCount(i.parameters),
          i.quantization,
          formatBytes(i.sizeBytes),
          String(i.contextLength),
          i.license,
          i.fit.fits ? 'fits' : `needs ${formatBytes(i.fit.requiredBytes)}`,
          i.installed ? 'yes' : '',
        ]),
      ];
      const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
      process.stdout.write(rows.map((r) => `${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()}\n`).join(''));
      return 0;
    }
    return await pull(core, rest[0]!);
  });
}

import type { Core } from '../app/create-core';

async function pull(core: Core, target: string): Promise<number> {
  const entry = (await core.catalog()).find((e) => e.id === target);
  const started = entry ? await core.downloads.startCatalog(entry) : await core.downloads.start({ uri: target });
  if (started.bytesDone > 0) process.stderr.write(`Resuming ${started.fileName} at ${formatBytes(started.bytesDone)}\n`);
  const tty = process.stderr.isTTY === true;
  let paused = false;
  const onSignal = () => {
    paused = true;
    void core.downloads.pause(started.id);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let lastLine = 0;
  const timer = setInterval(() => {
    const status = core.downloads.get(started.id);
    if (status.state !== 'downloading') return;
    if (!tty && Date.now() - lastLine < 1000) return;
    lastLine = Date.now();
    process.stderr.write(tty ? `\r${progressLine(status)}\x1b[K` : `${progressLine(status)}\n`);
  }, 200);
  try {
    const done = await core.downloads.done(started.id);
    if (tty) process.stderr.write('\n');
    if (done.state === 'completed') {
      process.stdout.write(`Downloaded ${done.fileName} (${formatBytes(done.bytesDone)}) as model "${done.modelId ?? done.fileName}" into ${core.layout.models}\n`);
      return 0;
    }
    if (done.state === 'paused' || paused) {
      process.stderr.write(`Paused at ${formatBytes(done.bytesDone)}; run the same command again to resume.\n`);
      return 130;
    }
    process.stderr.write(`tandem models pull: ${done.error?.code ?? 'DOWNLOAD_FAILED'}: ${done.error?.message ?? done.state}\n`);
    return 1;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `45% 120.0 MiB / 266.5 MiB  12.3 MiB/s  ETA 12s` */
export function progressLine(s: DownloadStatus): string {
  const percent = s.totalBytes ? `${Math.floor((s.bytesDone / s.totalBytes) * 100)}%` : '?%';
  const total = s.totalBytes === null ? '?' : formatBytes(s.totalBytes);
  const eta = s.etaSeconds === null ? '--' : formatDuration(s.etaSeconds);
  return `${s.fileName}  ${percent.padStart(4)}  ${formatBytes(s.bytesDone)} / ${total}  ${formatBytes(s.bytesPerSecond)}/s  ETA ${eta}`;
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
