/**
 * Many small Markdown files for the rescan benchmark: `count` files of a few
 * sentences each, 100 to a folder, deterministic. `touch` rewrites one of them
 * with new content (a real change: a new content hash).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const WORDS = (
  'the report shows revenue growth in every region while costs stayed flat and the team shipped the new search ' +
  'feature ahead of schedule customers asked for offline mode better exports and faster sync across devices ' +
  'security review found two minor issues which were fixed before release the roadmap lists indexing ' +
  'performance citations and local models as priorities for the next quarter budget hiring and training'
).split(' ');

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function smallFilePath(root: string, index: number): string {
  return join(root, `d${String(Math.floor(index / 100)).padStart(3, '0')}`, `note-${String(index).padStart(5, '0')}.md`);
}

export function smallFileText(index: number, version = 0): string {
  const random = mulberry32(index * 7919 + version * 104729 + 1);
  const sentence = () => {
    const n = 8 + Math.floor(random() * 10);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]!);
    return `${words.join(' ')}.`;
  };
  return `# Note ${index}${version ? ` (v${version})` : ''}\n\n${sentence()} ${sentence()}\n\n${sentence()}\n`;
}

export async function writeSmallFiles(root: string, count: number): Promise<void> {
  for (let dir = 0; dir * 100 < count; dir++) {
    await mkdir(join(root, `d${String(dir).padStart(3, '0')}`), { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = dir * 100; i < Math.min(count, (dir + 1) * 100); i++) writes.push(writeFile(smallFilePath(root, i), smallFileText(i)));
    await Promise.all(writes);
  }
}

/** Gives file `index` new content (version `version`). */
export async function touchSmallFile(root: string, index: number, version: number): Promise<string> {
  const path = smallFilePath(root, index);
  await writeFile(path, smallFileText(index, version));
  return path;
}
