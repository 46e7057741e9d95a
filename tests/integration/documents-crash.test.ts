import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeCorpus } from '../fixtures/documents/corpus';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { openDocs } from './documents-harness';

/**
 * `kill -9` of `tandem index` at several points, then a rerun: the chunks
 * (ids and content hashes) and the file registry are exactly those of an
 * uninterrupted run: nothing duplicated, nothing missing.
 */

const temp = new TempDirs();
const running: TandemProcess[] = [];
let root: string;
let corpus: string;
let modelsDir: string;

beforeAll(async () => {
  root = await temp.make('tandem-docs-crash-');
  corpus = join(root, 'corpus');
  modelsDir = join(root, 'models');
  await mkdir(modelsDir);
  await writeTinyBertGguf(join(modelsDir, 'tiny-bert.gguf'));
  await writeCorpus(corpus, { files: 120, seed: 7 });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

function index(dataDir: string): TandemProcess {
  const child = TandemProcess.start(['index', corpus, '--name', 'c', '--data-dir', dataDir, '--models-dir', modelsDir]);
  running.push(child);
  return child;
}

async function chunkSet(dataDir: string) {
  const docs = await openDocs({ dataDir, modelsDirs: [modelsDir] });
  try {
    const collection = docs.service.find('c')!;
    const chunks = (await docs.service.chunkIds(collection.id)).map((c) => `${c.id} ${c.contentHash} ${c.path}`).sort();
    const files = (await docs.service.inventory(collection.id)).map((f) => `${f.path} ${f.hash} ${f.chunks} ${f.error?.code ?? ''}`);
    return { chunks, files };
  } finally {
    await docs.dispose();
  }
}

/** Waits for a progress line with at least `share` of the files done (or the scan line when share is 0), then kill -9. */
async function killAt(child: TandemProcess, share: number): Promise<string> {
  if (share === 0) {
    await child.waitForStdout(/^Scanning/m, 120_000);
  } else {
    await child.waitForStdout(/^Indexing \d+\/\d+/m, 120_000);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const lines = [...child.stdout().matchAll(/^Indexing (\d+)\/(\d+)/gm)];
      const last = lines.at(-1);
      if (last && Number(last[1]) >= Math.max(1, Number(last[2]) * share)) break;
      if (!child.running || Date.now() > deadline) throw new Error(`tandem index ended before ${share} of the files were done:\n${child.stdout()}\n${child.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  child.child.kill('SIGKILL');
  const exit = await child.exited;
  expect(exit.signal).toBe('SIGKILL');
  return child.stdout().trimEnd().split('\n').at(-1) ?? '';
}

describe('a killed indexing job', () => {
  test('resumes to exactly the chunk set of an uninterrupted run', async () => {
    const clean = join(root, 'clean');
    const whole = index(clean);
    expect((await whole.waitForExit(300_000)).code, whole.stderr()).toBe(0);
    console.log(`uninterrupted: ${whole.stdout().trimEnd().split('\n').filter((l) => !l.startsWith('Indexing')).join(' | ')}`);
    const expected = await chunkSet(clean);
    expect(expected.chunks.length).toBeGreaterThan(120);

    const crashed = join(root, 'crashed');
    const killedAt: string[] = [];
    for (const share of [0, 0.2, 0.4, 0.6]) killedAt.push(await killAt(index(crashed), share));
    console.log(`killed at: ${killedAt.join(' | ')}`);
    const rerun = index(crashed);
    expect((await rerun.waitForExit(300_000)).code, rerun.stderr()).toBe(0);
    const actual = await chunkSet(crashed);
    expect(actual.files).toEqual(expected.files);
    expect(actual.chunks.length).toBe(expected.chunks.length);
    expect(actual.chunks).toEqual(expected.chunks);
  }, 900_000);
});
