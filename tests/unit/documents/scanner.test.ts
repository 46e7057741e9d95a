import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { looksBinary, scanSource } from '../../../electron/core/documents/scanner';
import type { ScanOptions } from '../../../electron/core/documents/types';
import { writeMixedFolder } from '../../fixtures/documents/corpus';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const options = (extra: Partial<ScanOptions> = {}): ScanOptions => ({ ignore: [], maxFileBytes: 1024 * 1024, ...extra });
const isRoot = process.getuid?.() === 0;

async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await temp.make('tandem-scan-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const relativePaths = (dir: string, items: { path: string }[]) => items.map((item) => item.path.slice(dir.length + 1)).sort();

describe('scanSource', () => {
  test('finds every good file of a mixed folder with its type and reports every bad one once, with the right code', async () => {
    const dir = await temp.make('tandem-scan-mixed-');
    const manifest = await writeMixedFolder(dir, { maxFileBytes: 64 * 1024, largeFileBytes: 256 * 1024 });
    const result = await scanSource({ path: dir, kind: 'folder' }, options({ maxFileBytes: manifest.maxFileBytes }));

    // CORRUPT and ENCRYPTED files look fine from outside: the parser reports them.
    const parseTimeBad = manifest.bad.filter((item) => item.code === 'CORRUPT' || item.code === 'ENCRYPTED').map((item) => item.path);
    expect(result.files.map((file) => file.path).sort()).toEqual([...manifest.good, ...parseTimeBad].sort());
    expect(result.failures.map(({ path, code }) => ({ path, code })).sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      manifest.bad.filter((item) => !parseTimeBad.includes(item.path)).sort((a, b) => a.path.localeCompare(b.path)),
    );
    for (const failure of result.failures) expect(failure.reason.length).toBeGreaterThan(10);
    const types = Object.fromEntries(result.files.map((file) => [file.path.slice(dir.length + 1), file.type]));
    expect(types).toMatchObject({
      'report.pdf': 'pdf', 'handbook.docx': 'docx', 'guide.md': 'markdown', 'src/app.ts': 'code',
      'notes.txt': 'text', 'data.csv': 'csv', 'config.json': 'json', 'page.html': 'html',
    });
    for (const ignored of manifest.ignored) {
      expect([...result.files, ...result.failures].some((item) => item.path === ignored)).toBe(false);
    }
    const pdf = result.files.find((file) => file.path.endsWith('report.pdf'));
    expect(pdf?.sizeBytes).toBeGreaterThan(500);
    expect(pdf?.mtimeMs).toBeGreaterThan(Date.now() - 3_600_000);
  });

  test('applies .gitignore files relative to their own folder, including negations, plus the extra patterns', async () => {
    const dir = await tree({
      '.gitignore': 'build/\n*.log\n',
      'build/out.md': 'x',
      'top.txt': 'kept',
      'debug.log': 'ignored by the root file',
      'docs/.gitignore': '*.txt\n!keep.txt\n/local.md\n',
      'docs/a.txt': 'ignored',
      'docs/keep.txt': 'kept',
      'docs/local.md': 'ignored: anchored to docs/',
      'docs/deep/local.md': 'kept: the anchor is docs/, not docs/deep/',
      'docs/deep/b.txt': 'ignored by docs/.gitignore',
      'drafts/plan.md': 'ignored by the settings',
      'notes/drafts.md': 'kept: "drafts/" only matches folders',
    });
    const result = await scanSource({ path: dir, kind: 'folder' }, options({ ignore: ['drafts/'] }));
    expect(relativePaths(dir, result.files)).toEqual(['docs/deep/local.md', 'docs/keep.txt', 'notes/drafts.md', 'top.txt']);
    expect(result.failures).toEqual([]);
  });

  test('skips hidden files and folders, node_modules and .git, and files that are not documents, without reporting them', async () => {
    const dir = await tree({
      '.env.md': 'hidden',
      '.cache/a.md': 'hidden folder',
      'node_modules/pkg/readme.md': 'dependency',
      '.git/HEAD.txt': 'git',
      'photo.psd': 'not a document',
      'Makefile': 'no extension',
      'README.MD': 'upper-case extension',
      'page.HTM': 'upper-case html',
    });
    const result = await scanSource({ path: dir, kind: 'folder' }, options());
    expect(relativePaths(dir, result.files)).toEqual(['README.MD', 'page.HTM']);
    expect(result.files.map((file) => file.type).sort()).toEqual(['html', 'markdown']);
    expect(result.failures).toEqual([]);
  });

  test('a file exactly at the size limit is indexed; one byte over is TOO_LARGE with both sizes in the reason', async () => {
    const dir = await tree({ 'at-limit.txt': 'a'.repeat(2048), 'over.txt': 'a'.repeat(2049) });
    const result = await scanSource({ path: dir, kind: 'folder' }, options({ maxFileBytes: 2048 }));
    expect(relativePaths(dir, result.files)).toEqual(['at-limit.txt']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ path: join(dir, 'over.txt'), code: 'TOO_LARGE' });
    expect(result.failures[0]?.reason).toMatch(/2\.0 KB.*2\.0 KB limit/);
  });

  test('binary data with a text name is BINARY; Latin-1 and UTF-8 text are not; binary formats are not sniffed', async () => {
    const dir = await tree({
      'program.txt': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x3e, 0x00]),
      'noise.md': Buffer.from(Array.from({ length: 2000 }, (_, i) => 0x80 + ((i * 37) % 0x7f))),
      'latin1.txt': Buffer.from('Café crème, naïve façade — 100 € à Zürich\n'.repeat(20), 'latin1'),
      'utf8.md': '# Ünïcödé ✓\n\n日本語のテキスト\n'.repeat(50),
      'scan.pdf': Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x00, 0xff]),
    });
    const result = await scanSource({ path: dir, kind: 'folder' }, options());
    expect(relativePaths(dir, result.files)).toEqual(['latin1.txt', 'scan.pdf', 'utf8.md']);
    expect(result.failures.map((failure) => [failure.path.slice(dir.length + 1), failure.code]).sort()).toEqual([
      ['noise.md', 'BINARY'],
      ['program.txt', 'BINARY'],
    ]);
    expect(looksBinary(new Uint8Array())).toBe(false);
  });

  test('a zero-byte file is EMPTY', async () => {
    const dir = await tree({ 'blank.md': '', 'full.md': '# Title' });
    const result = await scanSource({ path: dir, kind: 'folder' }, options());
    expect(relativePaths(dir, result.files)).toEqual(['full.md']);
    expect(result.failures).toMatchObject([{ path: join(dir, 'blank.md'), code: 'EMPTY' }]);
  });

  test('follows links, reports a link loop once and goes on, and never indexes a file twice', async () => {
    const outside = await tree({ 'shared/outside.md': '# Outside the root' });
    const dir = await tree({ 'a/one.md': 'one', 'b/two.md': 'two', 'z/last.md': 'found after the loop' });
    await symlink('..', join(dir, 'a', 'up'), 'dir');
    await symlink(join(dir, 'a'), join(dir, 'b', 'to-a'), 'dir');
    await symlink(join(outside, 'shared'), join(dir, 'linked-shared'), 'dir');
    await symlink('self.md', join(dir, 'self.md'));
    const result = await scanSource({ path: dir, kind: 'folder' }, options());
    expect(relativePaths(dir, result.files)).toEqual(['a/one.md', 'b/two.md', 'linked-shared/outside.md', 'z/last.md']);
    expect(result.failures.map((failure) => [failure.path.slice(dir.length + 1), failure.code]).sort()).toEqual([
      ['a/up', 'SYMLINK_LOOP'],
      ['self.md', 'SYMLINK_LOOP'],
    ]);
  });

  test('a file or folder that cannot be read is UNREADABLE and the walk goes on', async () => {
    const dir = await tree({ 'ok.md': '# Fine', 'after/z.md': 'still found' });
    const expected: [string, string][] = [['gone.md', 'UNREADABLE']];
    await symlink(join(dir, 'deleted-target.md'), join(dir, 'gone.md'));
    if (!isRoot) {
      await writeFile(join(dir, 'secret.txt'), 'no');
      await chmod(join(dir, 'secret.txt'), 0o000);
      await mkdir(join(dir, 'locked'));
      await writeFile(join(dir, 'locked', 'inside.md'), 'no');
      await chmod(join(dir, 'locked'), 0o000);
      expected.push(['locked', 'UNREADABLE'], ['secret.txt', 'UNREADABLE']);
    }
    // A pipe with a text name must be reported, not opened: reading it would wait forever.
    execFileSync('mkfifo', [join(dir, 'pipe.txt')]);
    expected.push(['pipe.txt', 'UNREADABLE']);
    try {
      const result = await scanSource({ path: dir, kind: 'folder' }, options());
      expect(relativePaths(dir, result.files)).toEqual(['after/z.md', 'ok.md']);
      expect(result.failures.map((failure) => [failure.path.slice(dir.length + 1), failure.code]).sort()).toEqual(expected.sort());
    } finally {
      if (!isRoot) await chmod(join(dir, 'locked'), 0o755);
    }
  });

  test('a file name that is not valid UTF-8 does not stop the scan', async () => {
    const dir = await tree({ 'good.md': 'good' });
    const badName = Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.md')]);
    try {
      await writeFile(badName, 'latin-1 named file');
    } catch {
      return; // The file system refuses such names: nothing to test here.
    }
    const result = await scanSource({ path: dir, kind: 'folder' }, options());
    expect(relativePaths(dir, result.files)).toContain('good.md');
    const reported = result.failures.find((failure) => failure.path.includes('caf'));
    expect(reported?.code).toBe('UNREADABLE');
    expect(reported?.reason).toMatch(/rename/);
  });

  test('a single file source is checked like a file in a folder', async () => {
    const dir = await tree({ 'one.md': '# One', 'empty.txt': '', 'image.psd': 'psd' });
    const good = await scanSource({ path: join(dir, 'one.md'), kind: 'file' }, options());
    expect(good.files).toMatchObject([{ path: join(dir, 'one.md'), type: 'markdown', sizeBytes: 5 }]);
    const empty = await scanSource({ path: join(dir, 'empty.txt'), kind: 'file' }, options());
    expect(empty.failures).toMatchObject([{ code: 'EMPTY' }]);
    const unsupported = await scanSource({ path: join(dir, 'image.psd'), kind: 'file' }, options());
    expect(unsupported.failures).toMatchObject([{ code: 'UNSUPPORTED' }]);
    const missing = await scanSource({ path: join(dir, 'missing.md'), kind: 'file' }, options());
    expect(missing.failures).toMatchObject([{ code: 'UNREADABLE' }]);
  });

  test('stops when its signal aborts', async () => {
    const dir = await tree({ 'a.md': 'a' });
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    await expect(scanSource({ path: dir, kind: 'folder' }, options({ signal: controller.signal }))).rejects.toThrow('cancelled by the user');
  });

  test('scans 2,000 files in a nested tree, each exactly once', async () => {
    const dir = await temp.make('tandem-scan-many-');
    for (let folder = 0; folder < 20; folder++) {
      await mkdir(join(dir, `f${folder}`, 'deep'), { recursive: true });
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => writeFile(join(dir, `f${folder}`, i % 2 ? 'deep' : '', `n${i}.md`), `# Note ${folder}-${i}\n`)),
      );
    }
    const result = await scanSource({ path: dir, kind: 'folder' }, options());
    expect(result.failures).toEqual([]);
    expect(new Set(result.files.map((file) => file.path)).size).toBe(2000);
  });
});
