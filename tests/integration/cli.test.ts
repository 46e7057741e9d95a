import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireStoriesModel, storiesModelPath } from '../support/paths';
import { ensureUiBuilt, SERVING_LINE, TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';
import { waitUntil } from '../support/wait';

/** The `tandem` command as a person runs it in a terminal. */

const temp = new TempDirs();
const running: TandemProcess[] = [];
let dataDir: string;

beforeAll(async () => {
  requireStoriesModel();
  ensureUiBuilt();
  dataDir = await temp.make('tandem-cli-');
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

function tandem(...args: string[]): TandemProcess {
  const process = TandemProcess.start(args);
  running.push(process);
  return process;
}

describe('tandem', () => {
  test('--help exits 0 and lists the serve and chat commands', async () => {
    const help = tandem('--help');
    expect((await help.waitForExit()).code).toBe(0);
    expect(help.stdout()).toMatch(/^\s+serve\b/m);
    expect(help.stdout()).toMatch(/^\s+chat --model/m);
    expect(help.stderr()).toBe('');
  });

  test('an unknown command exits 2 and points at --help', async () => {
    const wrong = tandem('--data-dir', dataDir, 'frobnicate');
    expect((await wrong.waitForExit()).code).toBe(2);
    expect(wrong.stderr()).toContain('unknown command "frobnicate"');
    expect(wrong.stderr()).toContain('--help');
  });

  test('chat streams an answer from a .gguf path and exits 0', async () => {
    const chat = tandem('--data-dir', dataDir, 'chat', '--model', storiesModelPath, '--max-tokens', '20', 'Once upon a time');
    const exit = await chat.waitForExit(60_000);
    expect(exit.code, chat.stderr()).toBe(0);
    expect(chat.stdout()).toMatch(/[A-Za-z]{2,}/);
    expect(chat.stdout().endsWith('\n')).toBe(true);
    expect(chat.stderr()).not.toMatch(/error|MODEL_/i);
  });

  test('an unknown model exits non-zero with MODEL_NOT_FOUND and what to do on stderr', async () => {
    const byId = tandem('--data-dir', dataDir, 'chat', '--model', 'no-such-model', 'Hello');
    expect((await byId.waitForExit()).code).toBe(1);
    expect(byId.stderr()).toContain('MODEL_NOT_FOUND');
    expect(byId.stderr()).toContain('no-such-model');
    expect(byId.stderr()).toContain('--models-dir');
    expect(byId.stdout()).toBe('');

    const byPath = tandem('--data-dir', dataDir, 'chat', '--model', join(dataDir, 'missing.gguf'), 'Hello');
    expect((await byPath.waitForExit()).code).toBe(1);
    expect(byPath.stderr()).toMatch(/MODEL_NOT_FOUND: No model file at .*missing\.gguf/);
  });

  test('a damaged model file exits non-zero with MODEL_LOAD_FAILED instead of crashing', async () => {
    const broken = join(dataDir, 'broken.gguf');
    await writeFile(broken, 'GGUF but not really');
    const chat = tandem('--data-dir', dataDir, 'chat', '--model', broken, 'Hello');
    const exit = await chat.waitForExit();
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(1);
    expect(chat.stderr()).toContain('MODEL_LOAD_FAILED');
  });

  test('Ctrl-C during a long answer stops it cleanly: exit 130, partial text kept on stdout', async () => {
    const chat = tandem('--data-dir', dataDir, 'chat', '--model', storiesModelPath, '--max-tokens', '100000', 'Once upon a time');
    await waitUntil(() => chat.stdout().length >= 100, 'some text on stdout', 60_000);
    chat.child.kill('SIGINT');
    const stoppedAt = Date.now();
    const exit = await chat.waitForExit(10_000);
    expect(exit).toEqual({ code: 130, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(chat.stdout().trim().length).toBeGreaterThanOrEqual(100);
    expect(chat.stdout().endsWith('\n')).toBe(true);
    expect(chat.stderr()).not.toMatch(/error/i);
  });

  test('serve prints exactly one line, the URL with its token, and exits 0 on SIGTERM', async () => {
    const serve = tandem('--data-dir', dataDir, 'serve', '--port', '0');
    await serve.waitForStdout(/\n/);
    const exit = await serve.stop({ signal: 'SIGTERM', timeoutMs: 15_000 });
    expect(exit).toBe(0);
    const lines = serve.stdout().split('\n');
    expect(lines).toHaveLength(2); // one line and its newline
    expect(lines[1]).toBe('');
    expect(lines[0]).toMatch(SERVING_LINE);
  });
});
