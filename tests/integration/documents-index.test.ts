import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeMixedFolder, type MixedFolderManifest } from '../fixtures/documents/corpus';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';
import { openDocs, type DocsHarness } from './documents-harness';

/** Indexing a folder with every kind of file and every kind of trouble, then searching it. */

const temp = new TempDirs();
let docs: DocsHarness;
let manifest: MixedFolderManifest;
let folder: string;
let collectionId: string;

beforeAll(async () => {
  const root = await temp.make('tandem-docs-index-');
  folder = join(root, 'mixed');
  const modelsDir = join(root, 'models');
  await mkdir(modelsDir);
  await writeTinyBertGguf(join(modelsDir, 'tiny-bert.gguf'));
  manifest = await writeMixedFolder(folder, { maxFileBytes: 256 * 1024, largeFileBytes: 300 * 1024 });
  docs = await openDocs({ dataDir: join(root, 'data'), modelsDirs: [modelsDir], settings: { maxFileBytes: manifest.maxFileBytes } });
  const added = await docs.service.add({ name: 'Mixed', paths: [folder] });
  collectionId = added.id;
  expect(added.state).toBe('indexing');
  await docs.service.waitForIdle(collectionId);
});

afterAll(async () => {
  await docs?.dispose();
  await temp.removeAll();
});

describe('indexing a mixed folder', () => {
  test('every good file is indexed, every bad one reported with a reason, and the job finishes', async () => {
    const job = docs.service.job(collectionId)!;
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const inventory = await docs.service.inventory(collectionId);
    const indexed = inventory.filter((f) => !f.error);
    expect(indexed.map((f) => f.path).sort()).toEqual([...manifest.good].sort());
    for (const file of indexed) {
      expect(file.chunks, file.path).toBeGreaterThan(0);
      expect(file.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    for (const bad of manifest.bad) {
      const failure = job.failures.find((f) => f.path === bad.path);
      expect(failure, `${bad.path} should be reported`).toBeDefined();
      expect(failure!.code).toBe(bad.code);
      expect(failure!.reason.length).toBeGreaterThan(5);
    }
    for (const path of manifest.ignored) expect(inventory.some((f) => f.path === path)).toBe(false);
    const collection = await docs.service.get(collectionId);
    expect(collection).toMatchObject({ name: 'Mixed', state: 'idle', files: manifest.good.length, embedder: { modelId: 'tiny-bert' } });
    expect(collection.chunks).toBe(indexed.reduce((n, f) => n + f.chunks, 0));
    expect(await docs.service.index.count(collectionId)).toBe(collection.chunks);
    // progress went out as events: scanning, indexing, done; never faster than ~5/s between the ends
    const states = docs.progress.filter((p) => p.collectionId === collectionId).map((p) => p.state);
    expect(states[0]).toBe('scanning');
    expect(states.at(-1)).toBe('done');
  });

  test('the page-3 question finds page 3 first in keyword and hybrid mode; semantic runs', async () => {
    for (const mode of ['keyword', 'hybrid'] as const) {
      const result = await docs.service.search({ collectionIds: [collectionId], query: manifest.fact.query, mode, k: 5 });
      expect(result.mode).toBe(mode);
      expect(result.notice).toBeNull();
      expect(result.hits[0], mode).toMatchObject({ path: manifest.fact.path, page: 3, type: 'pdf', localOnly: false });
      expect(result.hits[0]!.snippet).toContain('Zanzibar');
    }
    const semantic = await docs.service.search({ collectionIds: [collectionId], query: manifest.fact.query, mode: 'semantic', k: 3 });
    expect(semantic.mode).toBe('semantic');
    expect(semantic.hits).toHaveLength(3);
  });

  test('filters by type and path prefix', async () => {
    const pdfOnly = await docs.service.search({ collectionIds: [collectionId], query: 'engineers report', mode: 'keyword', types: ['pdf'] });
    expect(pdfOnly.hits.length).toBeGreaterThan(0);
    expect(pdfOnly.hits.every((h) => h.type === 'pdf')).toBe(true);
    const underSrc = await docs.service.search({ collectionIds: [collectionId], query: 'answer add', mode: 'keyword', pathPrefix: join(folder, 'src') });
    expect(underSrc.hits.map((h) => h.path)).toEqual([join(folder, 'src', 'app.ts')]);
  });

  test('view shows the parsed sections of a file of the collection and nothing else', async () => {
    const view = await docs.service.viewDocument(collectionId, manifest.fact.path);
    expect(view.type).toBe('pdf');
    expect(view.sections.find((s) => s.page === 3)?.text).toContain('Zanzibar');
    await expect(docs.service.viewDocument(collectionId, '/etc/passwd')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(docs.service.openExternal(collectionId, manifest.fact.path)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  test('export gives the registry as JSON and a Markdown summary', async () => {
    const json = await docs.service.export(collectionId, 'json');
    expect(json.filename).toBe('Mixed-inventory.json');
    const parsed = JSON.parse(json.content) as { files: { path: string }[] };
    expect(parsed.files.length).toBe(manifest.good.length + manifest.bad.length);
    const md = await docs.service.export(collectionId, 'markdown');
    expect(md.filename).toBe('Mixed-inventory.md');
    expect(md.content).toContain('## Not indexed');
    expect(md.content).toContain('ENCRYPTED');
  });

  test('a rescan with nothing changed keeps every file and every failure', async () => {
    const before = await docs.service.inventory(collectionId);
    await docs.service.reindex(collectionId);
    const job = await docs.service.waitForIdle(collectionId);
    expect(job).toMatchObject({ state: 'done', filesTotal: 0 });
    expect(job!.failures.map((f) => f.path).sort()).toEqual(manifest.bad.map((b) => b.path).sort());
    expect(await docs.service.inventory(collectionId)).toEqual(before);
    expect(await docs.service.get(collectionId)).toMatchObject({ files: manifest.good.length, failed: manifest.bad.length });
  });

  test('a missing path is a clear NOT_FOUND', async () => {
    await expect(docs.service.add({ name: 'Nope', paths: [join(folder, 'no-such-dir')] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
