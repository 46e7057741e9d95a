import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem providers …` and `tandem chat --model PROVIDER/MODEL` as a person runs them, against the fake server. */

const KEY = 'sk-cli-test-key-abcdef0123456789';
const temp = new TempDirs();
const running: TandemProcess[] = [];
let server: FakeOpenAIServer;
let dataDir: string;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  dataDir = await temp.make('tandem-cli-providers-');
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await server?.close();
  await temp.removeAll();
});

function tandem(...args: string[]): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dataDir, ...args], { FAKE_KEY: KEY });
  running.push(process);
  return process;
}

describe('tandem providers and cloud chat', () => {
  test('add, list (key masked) and test list the fake server and its models', async () => {
    const add = tandem('providers', 'add', 'fake', '--base-url', server.baseUrl, '--api-key-env', 'FAKE_KEY');
    expect((await add.waitForExit()).code, add.stderr()).toBe(0);

    const list = tandem('providers', 'list');
    expect((await list.waitForExit()).code, list.stderr()).toBe(0);
    expect(list.stdout()).toContain('fake');
    expect(list.stdout()).toContain('sk-…6789 (env)');
    expect(list.stdout() + list.stderr()).not.toContain(KEY);

    const check = tandem('providers', 'test', 'fake');
    expect((await check.waitForExit()).code, check.stderr()).toBe(0);
    expect(check.stdout()).toMatch(/fake: OK in \d+ ms, 2 model\(s\)/);
    expect(check.stdout()).toContain('fake/gpt-test');
  });

  test('chat --model fake/gpt-test streams the answer to stdout and exits 0', async () => {
    const chat = tandem('chat', '--model', 'fake/gpt-test', 'Say hello');
    expect((await chat.waitForExit()).code, chat.stderr()).toBe(0);
    expect(chat.stdout()).toBe(`${FAKE_REPLY.join('')}\n`);
  });

  test('a model that is rate limited forever prints RATE_LIMITED and exits 1 after the retries', async () => {
    const chat = tandem('chat', '--model', 'fake/fault-429', 'Hi');
    expect((await chat.waitForExit()).code).toBe(1);
    expect(chat.stderr()).toMatch(/RATE_LIMITED: fake is rate limiting requests/);
    expect(server.count('fault-429')).toBe(3);
    expect(chat.stdout() + chat.stderr()).not.toContain(KEY);
  });

  test('a bad --preset exits 2 with the choices', async () => {
    const bad = tandem('providers', 'add', 'x', '--preset', 'nope');
    expect((await bad.waitForExit()).code).toBe(2);
    expect(bad.stderr()).toContain('openrouter');
  });
});
