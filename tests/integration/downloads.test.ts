import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DownloadStatus } from '../../shared/ipc/routes/downloads';
import { DownloadManager } from '../../electron/core/models/downloads/download-manager';
import { loadModelCatalog } from '../../electron/core/models/downloads/model-catalog';
import { pickFile, resolveModelSource } from '../../electron/core/models/downloads/hf-resolver';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { DownloadServer } from '../fixtures/download-server';
import { tinyLlamaGguf } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';
import { resourcesDir } from '../support/paths';
import { bundledResources } from '../../electron/core/app/resources-dir';

/** Model downloads against a local HTTP server that can fail on purpose. */

const temp = new TempDirs();
const model = tinyLlamaGguf({ embeddingLength: 64, feedForwardLength: 256, blockCount: 4, seed: 7 });
const modelSha = createHash('sha256').update(model).digest('hex');
let server: DownloadServer;
const managers: DownloadManager[] = [];

beforeAll(async () => {
  server = await new DownloadServer(model).start();
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.dispose()));
  server.throttle(null);
  server.ignoreRange = false;
  server.requests.length = 0;
});

afterAll(async () => {
  await server.stop();
  await temp.removeAll();
});

async function setup(): Promise<{ modelsDir: string; events: DownloadStatus[]; manager: DownloadManager }> {
  const modelsDir = join(await temp.make('tandem-dl-'), 'models');
  const events: DownloadStatus[] = [];
  const manager = new DownloadManager({ modelsDir, onProgress: (s) => events.push(s), progressIntervalMs: 0 });
  await manager.init();
  managers.push(manager);
  return { modelsDir, events, manager };
}

async function visibleModels(modelsDir: string): Promise<string[]> {
  return (await new ModelLibrary(() => [modelsDir]).list(true)).map((m) => m.name);
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

describe('DownloadManager', () => {
  test('downloads a model with progress events (bytes, total, speed) and installs it', async () => {
    const { modelsDir, events, manager } = await setup();
    server.throttle(16 * 1024);
    const started = await manager.start({ uri: server.url('/model.gguf') });
    const done = await manager.done(started.id);
    expect(done.state, JSON.stringify(done.error)).toBe('completed');
    expect(done.fileName).toBe('model.gguf');
    const progress = events.filter((e) => e.state === 'downloading' && e.bytesDone > 0);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)!.totalBytes).toBe(model.length);
    expect(progress.some((e) => e.bytesPerSecond > 0 && e.etaSeconds !== null)).toBe(true);
    expect(progress.map((e) => e.bytesDone)).toEqual([...progress.map((e) => e.bytesDone)].sort((a, b) => a - b));
    expect(events.at(-1)!.state).toBe('completed');
    expect(await sha(join(modelsDir, 'model.gguf'))).toBe(modelSha);
    expect(await visibleModels(modelsDir)).toEqual(['model']);
    expect(await readdir(join(modelsDir, '.partial'))).toEqual([]);
  });

  test('a download cut off mid-transfer resumes with Range and ends byte-identical', async () => {
    const { modelsDir, manager } = await setup();
    server.cutAfter(Math.floor(model.length / 3));
    const first = await manager.done((await manager.start({ uri: server.url('/model.gguf') })).id);
    expect(first.state).toBe('failed');
    expect(first.error?.code).toBe('NETWORK');
    expect(first.error?.message).toMatch(/resume/i);
    // bytes the HTTP client had buffered but not handed over when the socket closed are lost; the part file says what arrived
    expect(first.bytesDone).toBeGreaterThan(0);
    expect(first.bytesDone).toBeLessThanOrEqual(Math.floor(model.length / 3));
    expect((await stat(join(modelsDir, '.partial', `${first.id}.gguf.part`))).size).toBe(first.bytesDone);
    expect(await visibleModels(modelsDir)).toEqual([]);

    await manager.resume(first.id);
    const second = await manager.done(first.id);
    expect(second.state, JSON.stringify(second.error)).toBe('completed');
    const resumed = server.requests.at(-1)!;
    expect(resumed.range).toBe(`bytes=${first.bytesDone}-`);
    expect(resumed.ifRange).toBe(server.etag);
    expect(await sha(join(modelsDir, 'model.gguf'))).toBe(modelSha);
  });

  test('a server that ignores Range makes the download start over, still byte-identical', async () => {
    const { modelsDir, manager } = await setup();
    server.cutAfter(5000);
    const first = await manager.done((await manager.start({ uri: server.url('/model.gguf') })).id);
    expect(first.state).toBe('failed');
    server.ignoreRange = true;
    await manager.resume(first.id);
    expect((await manager.done(first.id)).state).toBe('completed');
    expect(await sha(join(modelsDir, 'model.gguf'))).toBe(modelSha);
  });

  test('404 and a file that is not GGUF give clear errors and leave nothing behind', async () => {
    const { modelsDir, manager } = await setup();
    const missing = await manager.done((await manager.start({ uri: server.url('/missing.gguf') })).id);
    expect(missing.state).toBe('failed');
    expect(missing.error?.code).toBe('DOWNLOAD_FAILED');
    expect(missing.error?.message).toMatch(/404 Not Found/);
    const page = await manager.done((await manager.start({ uri: server.url('/page.gguf') })).id);
    expect(page.state).toBe('failed');
    expect(page.error?.code).toBe('NOT_GGUF');
    expect(page.error?.message).toMatch(/not a GGUF model file/);
    expect(await readdir(modelsDir).then((names) => names.filter((n) => n !== '.partial'))).toEqual([]);
    expect(await readdir(join(modelsDir, '.partial'))).toEqual([]);
  });

  test('a checksum mismatch is refused and the file deleted', async () => {
    const { modelsDir, manager } = await setup();
    const status = await manager.done((await manager.start({ uri: server.url('/model.gguf'), sha256: '0'.repeat(64) })).id);
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('CHECKSUM_MISMATCH');
    expect(existsSync(join(modelsDir, 'model.gguf'))).toBe(false);
    expect(await readdir(join(modelsDir, '.partial'))).toEqual([]);
    const ok = await manager.done((await manager.start({ uri: server.url('/model.gguf'), sha256: modelSha })).id);
    expect(ok.state).toBe('completed');
  });

  test('cancel stops the download and removes the partial file', async () => {
    const { modelsDir, manager } = await setup();
    server.throttle(2048);
    const started = await manager.start({ uri: server.url('/model.gguf') });
    await waitFor(() => manager.get(started.id).bytesDone > 4096);
    expect((await readdir(join(modelsDir, '.partial'))).length).toBe(2);
    const cancelled = await manager.cancel(started.id);
    expect(cancelled.state).toBe('cancelled');
    expect(await readdir(join(modelsDir, '.partial'))).toEqual([]);
    expect(await visibleModels(modelsDir)).toEqual([]);
  });

  test('a paused download survives a restart of the manager and resumes where it stopped', async () => {
    const { modelsDir, manager } = await setup();
    server.throttle(2048);
    const started = await manager.start({ uri: server.url('/model.gguf') });
    await waitFor(() => manager.get(started.id).bytesDone > 8192);
    const paused = await manager.pause(started.id);
    expect(paused.state).toBe('paused');
    const partBytes = (await stat(join(modelsDir, '.partial', `${started.id}.gguf.part`))).size;
    expect(partBytes).toBe(paused.bytesDone);
    await manager.dispose();

    server.throttle(null);
    const restarted = new DownloadManager({ modelsDir });
    managers.push(restarted);
    await restarted.init();
    expect(restarted.list()).toMatchObject([{ id: started.id, state: 'paused', bytesDone: partBytes, totalBytes: model.length }]);
    await restarted.resume(started.id);
    expect((await restarted.done(started.id)).state).toBe('completed');
    expect(server.requests.at(-1)!.range).toBe(`bytes=${partBytes}-`);
    expect(await sha(join(modelsDir, 'model.gguf'))).toBe(modelSha);
  });

  test.skipIf(!existsSync('/dev/full'))('a full disk is DISK_FULL with a clear message, and nothing is listed as a model', async () => {
    const { modelsDir, manager } = await setup();
    server.throttle(2048);
    const started = await manager.start({ uri: server.url('/model.gguf') });
    await waitFor(() => manager.get(started.id).bytesDone > 0);
    await manager.pause(started.id);
    // the part file now points at /dev/full, where every write fails with ENOSPC
    const part = join(modelsDir, '.partial', `${started.id}.gguf.part`);
    await unlink(part);
    await symlink('/dev/full', part);
    server.throttle(null);
    await manager.resume(started.id);
    const status = await manager.done(started.id);
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('DISK_FULL');
    expect(status.error?.message).toMatch(/disk is full.*Free some space and resume/);
    expect(await visibleModels(modelsDir)).toEqual([]);
  });

  test('no server at all is a NETWORK error that can be resumed', async () => {
    const { manager } = await setup();
    const status = await manager.done((await manager.start({ uri: 'http://127.0.0.1:1/model.gguf' })).id);
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('NETWORK');
    expect(status.error?.message).toMatch(/connection to 127\.0\.0\.1:1 failed/);
  });
});

describe('model sources and catalog', () => {
  test('hf: URIs resolve to Hugging Face download URLs', async () => {
    await expect(resolveModelSource('hf:nomic-ai/nomic-embed-text-v1.5-GGUF/nomic-embed-text-v1.5.Q8_0.gguf')).resolves.toEqual({
      url: 'https://huggingface.co/nomic-ai/nomic-embed-text-v1.5-GGUF/resolve/main/nomic-embed-text-v1.5.Q8_0.gguf',
      fileName: 'nomic-embed-text-v1.5.Q8_0.gguf',
    });
    const listing = async () => Response.json({ siblings: [{ rfilename: 'README.md' }, { rfilename: 'Qwen2.5-0.5B-Instruct-Q4_K_M.gguf' }, { rfilename: 'Qwen2.5-0.5B-Instruct-Q8_0.gguf' }] });
    await expect(resolveModelSource('hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q8_0', listing as typeof fetch)).resolves.toEqual({
      url: 'https://huggingface.co/bartowski/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/Qwen2.5-0.5B-Instruct-Q8_0.gguf',
      fileName: 'Qwen2.5-0.5B-Instruct-Q8_0.gguf',
    });
    expect(() => pickFile(['a-Q4_K_M.gguf'], 'Q2_K', true)).toThrow(/no single-file Q2_K/);
    await expect(resolveModelSource('not a uri')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('the bundled catalog is valid and has chat and embedding models', async () => {
    const catalog = await loadModelCatalog(bundledResources(resourcesDir).catalog);
    expect(catalog.filter((e) => e.kind === 'chat').length).toBeGreaterThanOrEqual(8);
    expect(catalog.filter((e) => e.kind === 'embedding').length).toBeGreaterThanOrEqual(2);
    expect(new Set(catalog.map((e) => e.id)).size).toBe(catalog.length);
    for (const entry of catalog) expect(entry.uri).toMatch(/^hf:/);
  });
});
