import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TempDirs } from '../support/temp-dir';
import { ensureBuilt, runMain } from './support/run-main';
import { asarFiles, materializeApp, packLinuxDir } from './support/packed-app';
import { expectDesktopStarted } from './support/smoke-checks';

/**
 * The app as packaged: `electron-builder --dir` (the real electron-builder.yml)
 * against a stand-in Electron folder, into a temp dir. Checks the layout the
 * installed app depends on, then runs the same smoke test from the packed
 * app with process.resourcesPath = its resources folder. Packs once (about a
 * minute: node-llama-cpp's GPU binaries are copied too).
 */
const temp = new TempDirs();
let workDir = '';
let resourcesDir = '';
let files: ReturnType<typeof asarFiles>['files'] = [];

const platform = `${process.platform}-${process.arch}`;

describe.runIf(process.platform === 'linux')('the packaged app (electron-builder --dir, Linux)', () => {
  // electron-builder is killed (with all it started) before the hook's own limit, or when the run ends first.
  const packing = new AbortController();
  let packed: Promise<unknown> = Promise.resolve();
  beforeAll(async () => {
    ensureBuilt();
    workDir = await temp.make('tandem-packed-');
    const pack = packLinuxDir(workDir, { signal: packing.signal, timeoutMs: 360_000 });
    packed = pack.catch(() => undefined);
    ({ resourcesDir } = await pack);
    files = asarFiles(join(resourcesDir, 'app.asar')).files;
  }, 400_000);
  afterAll(async () => {
    try {
      packing.abort();
      await packed;
    } finally {
      await temp.removeAll();
    }
  }, 120_000);
  test('app.asar holds the built out/ and package.json; the resources folder holds the catalog, prices and puzzles', () => {
    const paths = new Set(files.map((f) => f.path));
    for (const built of ['package.json', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      expect(paths.has(built), `${built} in app.asar`).toBe(true);
    }
    expect(paths.has('node_modules/electron-updater/package.json'), 'electron-updater is packed').toBe(true);
    expect([...paths].some((p) => p.startsWith('src/') || p.startsWith('electron/') || p.startsWith('tests/')), 'no sources or tests').toBe(false);
    for (const bundled of ['model-catalog.json', 'pricing.json', join('turtle-soup', 'puzzles.json')]) {
      expect(existsSync(join(resourcesDir, bundled)), `${bundled} in resources/`).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(resourcesDir, 'model-catalog.json'), 'utf8')).models.length).toBeGreaterThanOrEqual(8);
  });

  test("every native module sits unpacked, where Electron loads it from (node-llama-cpp's binaries, LanceDB's .node)", () => {
    const native = files.filter((f) => f.path.endsWith('.node') || /\.(so|dylib|dll)(\.\d+)*$/.test(f.path));
    expect(native.length).toBeGreaterThan(0);
    for (const file of native) {
      expect(file.unpacked, `${file.path} is unpacked`).toBe(true);
      expect(existsSync(join(resourcesDir, 'app.asar.unpacked', file.path)), `${file.path} is in app.asar.unpacked`).toBe(true);
    }
    const lancedb = native.filter((f) => f.path.startsWith('node_modules/@lancedb/') && f.path.endsWith('.node'));
    expect(lancedb.length, "LanceDB's .node").toBeGreaterThan(0);
    const llama = native.filter((f) => f.path.startsWith(`node_modules/@node-llama-cpp/${platform}/bins/`) && f.path.endsWith('llama-addon.node'));
    expect(llama.length, `node-llama-cpp's ${platform} binary`).toBeGreaterThan(0);
    // Only this platform's prebuilt binaries are packed.
    expect(files.some((f) => /^node_modules\/@node-llama-cpp\/(mac|win)-/.test(f.path) && f.path.includes('/bins/'))).toBe(false);
  });

  test('the same smoke test passes from the packed app (process.resourcesPath = its resources folder), native modules load', async () => {
    const appDir = join(workDir, 'app');
    materializeApp(resourcesDir, appDir);
    const mainScript = join(appDir, 'out', 'main', 'index.js');
    const dataDir = join(workDir, 'user-data');
    const run = await runMain(mainScript, join(workDir, 'report.jsonl'), {
      STAND_IN_USER_DATA: dataDir,
      STAND_IN_APP_PATH: appDir,
      STAND_IN_RESOURCES_PATH: resourcesDir,
    });
    expectDesktopStarted(run, { mainScript, dataDir });

    // LanceDB and node-llama-cpp load their native code from the packed node_modules (nothing from the repo:
    // the app folder is in a temp dir). A script file, not -e: node-llama-cpp tests its binary in a child process.
    const probeScript = join(appDir, 'native-probe.mjs');
    writeFileSync(
      probeScript,
      `const lance = await import('@lancedb/lancedb');
const db = await lance.connect(process.argv[2]);
console.log('lancedb tables', (await db.tableNames()).length);
const { getLlama } = await import('node-llama-cpp');
const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
console.log('llama', llama.buildType);
`,
    );
    const probe = spawnSync(process.execPath, [probeScript, join(workDir, 'lancedb')], { cwd: appDir, encoding: 'utf8', timeout: 120_000 });
    expect(probe.status, probe.stderr).toBe(0);
    expect(probe.stdout).toContain('lancedb tables 0');
    expect(probe.stdout).toContain('llama prebuilt');
  });
});
