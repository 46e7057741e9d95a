import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DownloadServer } from '../fixtures/download-server';
import { tinyLlamaGguf } from '../fixtures/gguf-writer';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem models pull|rm|catalog` as a person runs them, against a local server. */

const temp = new TempDirs();
const model = tinyLlamaGguf({ embeddingLength: 64, feedForwardLength: 256, blockCount: 4, seed: 3 });
let server: DownloadServer;
let dataDir: string;
const running: TandemProcess[] = [];

beforeAll(async () => {
  server = await new DownloadServer(model).start();
  dataDir = join(await temp.make('tandem-cli-pull-'), 'data');
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await server.stop();
  await temp.removeAll();
});

function tandem(...args: string[]): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dataDir, ...args]);
  running.push(process);
  return process;
}

describe('tandem models pull / rm / catalog', () => {
  test('pull shows progress; Ctrl-C pauses; pulling again resumes with Range; rm deletes', async () => {
    server.throttle(1024);
    const first = tandem('models', 'pull', server.url('/model.gguf'));
    const deadline = Date.now() + 30_000;
    while (!/model\.gguf\s+\d+%.*\/s\s+ETA/.test(first.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(first.stderr()).toMatch(/model\.gguf\s+\d+%\s+[\d.]+ (B|KiB|MiB) \/ [\d.]+ (KiB|MiB)\s+[\d.]+ (B|KiB)\/s\s+ETA \d+s/);
    const code = await first.stop({ signal: 'SIGINT' });
    expect(code, first.stderr()).toBe(130);
    expect(first.stderr()).toMatch(/Paused at .*run the same command again to resume/);
    expect(existsSync(join(dataDir, 'models', 'model.gguf'))).toBe(false);

    server.throttle(null);
    const second = tandem('models', 'pull', server.url('/model.gguf'));
    expect((await second.waitForExit(60_000)).code, second.stderr()).toBe(0);
    expect(second.stderr()).toMatch(/Resuming model\.gguf at/);
    expect(server.requests.at(-1)!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(second.stdout()).toMatch(/Downloaded model\.gguf .* as model "model"/);
    const bytes = await readFile(join(dataDir, 'models', 'model.gguf'));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(model).digest('hex'));

    const rm = tandem('models', 'rm', 'model');
    expect((await rm.waitForExit(60_000)).code, rm.stderr()).toBe(0);
    expect(rm.stdout()).toContain(`Removed ${join(dataDir, 'models', 'model.gguf')}`);
    expect(await readdir(join(dataDir, 'models'))).toEqual(['.partial']);
  });

  test('pull of a 404 or a non-GGUF exits 1 with a clear message', async () => {
    const missing = tandem('models', 'pull', server.url('/missing.gguf'));
    expect((await missing.waitForExit(60_000)).code).toBe(1);
    expect(missing.stderr()).toMatch(/DOWNLOAD_FAILED: Nothing to download at .*404 Not Found/);
    const page = tandem('models', 'pull', server.url('/page.gguf'));
    expect((await page.waitForExit(60_000)).code).toBe(1);
    expect(page.stderr()).toMatch(/NOT_GGUF: .* is not a GGUF model file/);
  });

  test('catalog lists recommended models with a fit estimate', async () => {
    const catalog = tandem('models', 'catalog');
    expect((await catalog.waitForExit(60_000)).code, catalog.stderr()).toBe(0);
    const lines = catalog.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+PARAMS\s+QUANT\s+SIZE\s+CONTEXT\s+LICENSE\s+FIT/);
    expect(lines.find((l) => l.startsWith('qwen2.5-0.5b-instruct'))).toMatch(/chat\s+494\.0M\s+Q4_K_M\s+379\.4 MiB\s+32768\s+apache-2\.0\s+(fits|needs)/);
    expect(lines.find((l) => l.startsWith('nomic-embed-text-v1.5'))).toMatch(/embedding/);
  });
});
