import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TandemProcess } from '../support/serve-process';
import { TempDirs } from '../support/temp-dir';

/** Issue 15: CLI errors a person can act on, through the real `bin/tandem.mjs`. */

const temp = new TempDirs();
afterAll(() => temp.removeAll());

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const process = TandemProcess.start(args, env);
  const { code } = await process.waitForExit();
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}

function expectOneLineNoStack(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/Error:|node:internal|\.ts:\d+/);
}

describe('a data dir that cannot be opened', () => {
  test('TANDEM_HOME pointing at a file: one line saying what to do, exit 1', async () => {
    const file = join(await temp.make('tandem-cli-errors-'), 'not-a-folder');
    await writeFile(file, 'hello');
    const result = await run(['providers', 'list'], { TANDEM_HOME: file });
    expect(result.code).toBe(1);
    expectOneLineNoStack(result.stderr);
    expect(result.stderr).toBe(
      `tandem providers: the data dir ${file} cannot be opened: it is a file, not a folder; move it away or pass another folder with --data-dir DIR or TANDEM_HOME\n`,
    );
    expect(result.stdout).toBe('');
  });

  test('--data-dir inside a file, for a command that opens the whole core', async () => {
    const file = join(await temp.make('tandem-cli-errors-'), 'a-file');
    await writeFile(file, 'hello');
    const result = await run(['--data-dir', join(file, 'data'), 'models', 'list']);
    expect(result.code).toBe(1);
    expectOneLineNoStack(result.stderr);
    expect(result.stderr).toContain(`${file} is a file, not a folder`);
  });
});

describe('options that do not apply to a command', () => {
  test('each is refused with exit 2 and one line naming the option and the command', async () => {
    const dataDir = await temp.make('tandem-cli-options-');
    const cases: [string[], string][] = [
      [['models', 'list', '--k', '3'], 'unknown option --k for `tandem models list`'],
      [['providers', 'list', '--base-url', 'http://x'], 'unknown option --base-url for `tandem providers list`'],
      [['chat', '--model', 'm', '--json', 'hi'], 'unknown option --json for `tandem chat`'],
    ];
    const results = await Promise.all(cases.map(([args]) => run(['--data-dir', dataDir, ...args])));
    results.forEach((result, i) => {
      expect(result.code, cases[i]![1]).toBe(2);
      expectOneLineNoStack(result.stderr);
      expect(result.stderr).toBe(`tandem: ${cases[i]![1]} (see \`tandem --help\`)\n`);
    });
  });

  test('options that do apply still work, and a server command line after -- keeps its own flags', async () => {
    const dataDir = await temp.make('tandem-cli-options-ok-');
    const [list, add] = await Promise.all([
      run(['--data-dir', dataDir, 'models', 'list', '--json']),
      run(['--data-dir', dataDir, 'mcp', 'add', 'echo', '--env', 'A=1', '--', process.execPath, '--json', '--k']),
    ]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).not.toMatch(/unknown option/);
  });
});
