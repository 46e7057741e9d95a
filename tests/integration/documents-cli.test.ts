import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeMixedFolder, type MixedFolderManifest } from '../fixtures/documents/corpus';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem index`, `tandem search` and `tandem collections` as a person runs them (stdout is a pipe: plain progress lines). */

const temp = new TempDirs();
const running: TandemProcess[] = [];
let dataDir: string;
let modelsDir: string;
let folder: string;
let manifest: MixedFolderManifest;

beforeAll(async () => {
  const root = await temp.make('tandem-cli-docs-');
  dataDir = join(root, 'data');
  modelsDir = join(root, 'models');
  folder = join(root, 'Mixed Docs');
  await mkdir(modelsDir);
  await writeTinyBertGguf(join(modelsDir, 'tiny-bert.gguf'));
  manifest = await writeMixedFolder(folder, { maxFileBytes: 64 * 1024 * 1024, largeFileBytes: 64 * 1024 * 1024 + 1 });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

function tandem(...args: string[]): TandemProcess {
  const child = TandemProcess.start(['--data-dir', dataDir, '--models-dir', modelsDir, ...args]);
  running.push(child);
  return child;
}

describe('tandem index / search / collections', () => {
  test('index shows progress lines, a summary and every bad file with its reason; exit 0', async () => {
    const index = tandem('index', folder);
    expect((await index.waitForExit(120_000)).code, index.stderr()).toBe(0);
    const out = index.stdout();
    expect(out).toMatch(/^Indexing \d+\/\d+ files, \d+ chunks/m);
    expect(out).toMatch(new RegExp(`Indexed \\d+ changed file\\(s\\) .*Collection "Mixed Docs": ${manifest.good.length} files, \\d+ chunks, ${manifest.bad.length} not indexed, vectors from tiny-bert`));
    for (const bad of manifest.bad) expect(out).toContain(`  ${bad.path}: ${bad.code}: `);
    expect(index.stderr()).toBe('');
    // a second run re-indexes nothing
    const again = tandem('index', folder, '--name', 'Mixed Docs');
    expect((await again.waitForExit(120_000)).code, again.stderr()).toBe(0);
    expect(again.stdout()).toMatch(/Indexed 0 changed file\(s\)/);
  });

  test('search --json answers path, page, heading, snippet and score; keyword and hybrid find page 3 first', async () => {
    for (const mode of ['keyword', 'hybrid']) {
      const search = tandem('search', 'Mixed Docs', manifest.fact.query, '--json', '--mode', mode, '--k', '3');
      expect((await search.waitForExit(120_000)).code, search.stderr()).toBe(0);
      const hits = JSON.parse(search.stdout()) as { path: string; page: number | null; heading: string | null; snippet: string; score: number }[];
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThanOrEqual(3);
      expect(Object.keys(hits[0]!).sort()).toEqual(['heading', 'page', 'path', 'score', 'snippet']);
      expect(hits[0]).toMatchObject({ path: manifest.fact.path, page: 3 });
      expect(hits[0]!.snippet).toContain('7431');
    }
    const text = tandem('search', 'mixed docs', 'paid leave');
    expect((await text.waitForExit(120_000)).code, text.stderr()).toBe(0);
    expect(text.stdout()).toMatch(/^1\. handbook\.docx/m);
  });

  test('collections list and rm; errors are coded, usage mistakes exit 2', async () => {
    const list = tandem('collections', 'list');
    expect((await list.waitForExit(120_000)).code, list.stderr()).toBe(0);
    expect(list.stdout()).toMatch(/^NAME\s+FILES\s+CHUNKS\s+FAILED\s+EMBEDDER/);
    expect(list.stdout()).toMatch(new RegExp(`^Mixed Docs\\s+${manifest.good.length}\\s+\\d+\\s+${manifest.bad.length}\\s+tiny-bert`, 'm'));

    const missing = tandem('index', join(folder, 'nope'));
    expect((await missing.waitForExit(120_000)).code).toBe(1);
    expect(missing.stderr()).toMatch(/tandem index: NOT_FOUND: There is no file or folder at/);
    const usage = tandem('search', 'Mixed Docs');
    expect((await usage.waitForExit(120_000)).code).toBe(2);
    const badMode = tandem('search', 'Mixed Docs', 'x', '--mode', 'fuzzy');
    expect((await badMode.waitForExit(120_000)).code).toBe(2);

    const rm = tandem('collections', 'rm', 'Mixed Docs');
    expect((await rm.waitForExit(120_000)).code, rm.stderr()).toBe(0);
    expect(rm.stdout()).toContain('Removed collection "Mixed Docs"');
    const gone = tandem('search', 'Mixed Docs', 'port');
    expect((await gone.waitForExit(120_000)).code).toBe(1);
    expect(gone.stderr()).toContain('NOT_FOUND');
  });
});
