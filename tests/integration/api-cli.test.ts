import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApiKeySummary } from '../../shared/ipc/routes/api';
import { ensureUiBuilt, SERVING_LINE, TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** `tandem api-keys …` and `tandem serve --api` as a person runs them. */

const SECRET = /tdm_[0-9A-Za-z]{32}/;
const API_LINE = /^Tandem API at http:\/\/127\.0\.0\.1:(\d+)\/v1$/;
const temp = new TempDirs();
const running: TandemProcess[] = [];

beforeAll(() => ensureUiBuilt());

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop({ signal: 'SIGKILL' }).catch(() => undefined)));
  await temp.removeAll();
});

function tandem(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): TandemProcess {
  const process = TandemProcess.start(['--data-dir', dataDir, ...args], env);
  running.push(process);
  return process;
}

async function run(dataDir: string, args: string[], code: number): Promise<TandemProcess> {
  const process = tandem(dataDir, args);
  expect((await process.waitForExit(30_000)).code, `tandem ${args.join(' ')}\n${process.stderr()}`).toBe(code);
  return process;
}

async function listJson(dataDir: string): Promise<ApiKeySummary[]> {
  return JSON.parse((await run(dataDir, ['api-keys', 'list', '--json'], 0)).stdout()) as ApiKeySummary[];
}

/** Starts `tandem serve --port 0 …` and answers the two stdout lines' ports. */
async function serve(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const process = tandem(dataDir, ['serve', '--port', '0', ...args], env);
  await process.waitForStdout(/\n.*\n/, 60_000);
  const [first, second] = process.stdout().split('\n');
  return { process, first: first ?? '', second: second ?? '' };
}

const models = (apiUrl: string, secret: string) => fetch(`${apiUrl}/models`, { headers: { Authorization: `Bearer ${secret}` } });

describe.concurrent('tandem api-keys', { timeout: 180_000 }, () => {
  test('add prints the secret once; list shows name, prefix, limits and use but never the secret; rotate and revoke take effect', async () => {
    const dir = await temp.make('tandem-api-cli-');
    const added = await run(dir, ['api-keys', 'add', 'ci bot', '--rpm', '30', '--daily-tokens', '1000', '--daily-usd', '2.5'], 0);
    const secret = added.stdout().match(SECRET)?.[0] ?? '';
    expect(secret).not.toBe('');
    expect(added.stdout()).toContain('shown once');

    const [key, ...others] = await listJson(dir);
    expect(others).toEqual([]);
    expect(key).toMatchObject({ name: 'ci bot', prefix: secret.slice(0, 8), requestsPerMinute: 30, dailyTokens: 1000, dailyCostUsd: 2.5, lastUsedAt: null, today: { requests: 0, tokens: 0, costUsd: 0 } });
    const text = (await run(dir, ['api-keys', 'list'], 0)).stdout();
    expect(text).toMatch(/NAME\s+PREFIX\s+LIMITS\s+TODAY \(UTC\)\s+LAST USED/);
    expect(text).toContain('ci bot');
    expect(text).toContain(`${secret.slice(0, 8)}…`);
    expect(text).toContain('30/min');
    expect(text).toContain('never');
    expect(text).not.toContain(secret);

    const rotated = (await run(dir, ['api-keys', 'rotate', 'ci bot'], 0)).stdout().match(SECRET)?.[0];
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(secret);
    expect((await listJson(dir))[0]).toMatchObject({ id: key?.id, name: 'ci bot', prefix: rotated?.slice(0, 8), requestsPerMinute: 30 });

    const revoked = await run(dir, ['api-keys', 'revoke', key?.id ?? ''], 0);
    expect(revoked.stdout()).toContain('Revoked API key "ci bot"');
    expect((await run(dir, ['api-keys', 'list'], 0)).stdout()).toContain('No API keys');
  });

  test('bad usage exits 2 with a message; an unknown key or a taken name exits 1', async () => {
    const dir = await temp.make('tandem-api-cli-');
    for (const args of [['api-keys', 'frob'], ['api-keys', 'add', 'x', '--daily-usd', 'lots']]) {
      const process = await run(dir, args, 2);
      expect(process.stderr()).toContain('tandem api-keys:');
    }
    // Issue 15: an option of another sub-command is refused by the one options table, for every command alike.
    expect((await run(dir, ['api-keys', 'list', '--rpm', '3'], 2)).stderr()).toContain('unknown option --rpm for `tandem api-keys list`');
    expect((await run(dir, ['api-keys', 'revoke', 'nobody'], 1)).stderr()).toContain('NOT_FOUND');
    await run(dir, ['api-keys', 'add', 'x'], 0);
    expect((await run(dir, ['api-keys', 'add', 'x'], 1)).stderr()).toContain('already an API key named "x"');
  });
});

describe.concurrent('tandem serve --api', { timeout: 180_000 }, () => {
  test('prints the serving line, then the API line; with no keys one is made and shown once on stderr, and it works; its use shows in `api-keys list`', async () => {
    const dir = await temp.make('tandem-api-cli-serve-');
    const { process, first, second } = await serve(dir, ['--api']);
    expect(first).toMatch(SERVING_LINE);
    const port = first.match(SERVING_LINE)?.[1];
    expect(second).toMatch(API_LINE);
    expect(second.match(API_LINE)?.[1]).toBe(port);
    const apiUrl = second.slice('Tandem API at '.length);
    const keyLine = process.stderr().split('\n').find((line) => line.startsWith('API key: '));
    expect(keyLine).toMatch(/^API key: tdm_[0-9A-Za-z]{32} {2}\(shown once; `tandem api-keys` manages keys\)$/);
    const secret = keyLine?.match(SECRET)?.[0] ?? '';

    const answer = await models(apiUrl, secret);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { object: string }).object).toBe('list');
    expect((await models(apiUrl, 'tdm_wrong')).status).toBe(401);
    // The UI is still served on the same port.
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(await process.stop()).toBe(0);

    const [key] = await listJson(dir);
    expect(key).toMatchObject({ name: 'default', prefix: secret.slice(0, 8), today: { requests: 1 } });
    expect(key?.lastUsedAt).not.toBeNull();

    // A second start finds the key: none is made or shown.
    const again = await serve(dir, ['--api']);
    expect(again.second).toMatch(API_LINE);
    expect(again.process.stderr()).not.toContain('API key:');
    expect((await models(again.second.slice('Tandem API at '.length), secret)).status).toBe(200);
    await again.process.stop();
  });

  test('--api-key is the key and nothing is stored', async () => {
    const dir = await temp.make('tandem-api-cli-serve-');
    const { process, second } = await serve(dir, ['--api', '--api-key', 'my-key-123']);
    const apiUrl = second.slice('Tandem API at '.length);
    expect((await models(apiUrl, 'my-key-123')).status).toBe(200);
    expect((await models(apiUrl, 'my-key-12')).status).toBe(401);
    expect(process.stderr()).not.toContain('API key:');
    await process.stop();
    expect(await listJson(dir)).toEqual([]);
  });

  test('another --host needs --allow-remote (exit 2), and then prints a warning; bad --cors exits 2; TANDEM_API_KEY is a key', async () => {
    const dir = await temp.make('tandem-api-cli-serve-');
    const refused = await run(dir, ['serve', '--port', '0', '--host', '0.0.0.0', '--api'], 2);
    expect(refused.stderr()).toContain('--allow-remote');
    expect((await run(dir, ['serve', '--api', '--cors', 'not an origin'], 2)).stderr()).toContain('--cors');
    expect((await run(dir, ['serve', '--api-key', 'k'], 2)).stderr()).toContain('--api');

    // TANDEM_API_KEY works as --api-key does.
    const { process, second } = await serve(dir, ['--host', '0.0.0.0', '--allow-remote', '--api'], { TANDEM_API_KEY: 'k-remote' });
    expect(second).toMatch(API_LINE);
    expect(process.stderr()).not.toContain('API key:');
    expect(process.stderr()).toMatch(/Warning: Tandem listens on 0\.0\.0\.0, reachable from other machines/);
    expect((await models(second.slice('Tandem API at '.length), 'k-remote')).status).toBe(200);
    await process.stop();
  });
});
