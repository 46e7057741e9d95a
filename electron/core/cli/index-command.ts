import { basename, resolve } from 'node:path';
import type { IndexProgress } from '../../../shared/ipc/routes/documents';
import type { GlobalOptions } from './main';
import { withCliCore } from './with-cli-core';

export interface IndexCommandOptions {
  name?: string;
  localOnly: boolean;
}

/**
 * `tandem index FOLDER [--name COLLECTION] [--local-only]`: adds the folder
 * (or file) to a collection and indexes it in the foreground, with progress
 * on one updating line on a terminal and as plain lines otherwise. Bad files
 * are listed with their reasons; they do not make the exit code non-zero.
 */
export async function runIndex(global: GlobalOptions, args: string[], options: IndexCommandOptions): Promise<number> {
  if (args.length !== 1) {
    process.stderr.write('tandem index: give one folder or file: `tandem index FOLDER [--name COLLECTION] [--local-only]`\n');
    return 2;
  }
  const path = resolve(args[0]!);
  const name = options.name?.trim() || basename(path);
  return withCliCore(global, 'index', async (core) => {
    const tty = process.stdout.isTTY === true;
    let collectionId: string | null = null;
    let lastLine = '';
    const show = (progress: IndexProgress) => {
      if (progress.collectionId !== collectionId) return;
      const line = progressLine(progress);
      if (line === lastLine) return;
      lastLine = line;
      if (tty) process.stdout.write(`\r\x1b[K${line.slice(0, Math.max(20, (process.stdout.columns ?? 100) - 1))}`);
      else process.stdout.write(`${line}\n`);
    };
    const stopListening = core.documents.onProgress(show);
    const onInterrupt = () => {
      if (collectionId) void core.documents.cancelIndex(collectionId);
    };
    process.once('SIGINT', onInterrupt);
    try {
      const collection = await core.documents.add({ name, paths: [path], localOnly: options.localOnly });
      collectionId = collection.id;
      const started = performance.now();
      const job = await core.documents.waitForIdle(collection.id);
      if (tty) process.stdout.write('\r\x1b[K');
      const after = await core.documents.get(collection.id);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (!job || job.state === 'failed') {
        process.stderr.write(`tandem index: ${job?.error?.code ?? 'INDEX_FAILED'}: ${job?.error?.message ?? 'indexing did not finish'}\n`);
        return 1;
      }
      const verb = job.state === 'cancelled' ? 'Cancelled after' : 'Indexed';
      process.stdout.write(
        `${verb} ${job.filesDone} changed file(s) (${job.chunks} chunks) in ${seconds} s. ` +
          `Collection "${after.name}": ${after.files} files, ${after.chunks} chunks, ${after.failed} not indexed` +
          `${after.embedder ? `, vectors from ${after.embedder.modelId}` : ', no embedding model (keyword search only)'}.\n`,
      );
      if (job.failures.length > 0) {
        process.stdout.write(`Not indexed (${job.failures.length}):\n`);
        for (const failure of job.failures) process.stdout.write(`  ${failure.path}: ${failure.code}: ${failure.reason}\n`);
      }
      return job.state === 'cancelled' ? 130 : 0;
    } finally {
      process.off('SIGINT', onInterrupt);
      stopListening();
    }
  });
}

function progressLine(p: IndexProgress): string {
  if (p.state === 'scanning') return 'Scanning…';
  const eta = p.etaSeconds !== null && p.state === 'indexing' ? `, ${Math.ceil(p.etaSeconds)} s left` : '';
  const failed = p.failures.length > 0 ? `, ${p.failures.length} not indexed` : '';
  const current = p.currentFile ? `  ${basename(p.currentFile)}${p.detail ? ` (${p.detail})` : ''}` : '';
  return `Indexing ${p.filesDone}/${p.filesTotal} files, ${p.chunks} chunks${failed}${eta}${current}`;
}
