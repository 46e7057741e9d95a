import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { contentSecurityPolicy } from '../../electron/core/server/static-files';
import { repoRoot } from '../support/paths';

/** Issue 15: the renderer's HTML carries the same CSP as the header, as a <meta> (frame-ancestors aside: a meta cannot set it). */

function metaPolicy(html: string): string | null {
  const match = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i);
  return match ? match[1]! : null;
}

const headerWithoutFrameAncestors = () =>
  contentSecurityPolicy()
    .split('; ')
    .filter((directive) => !directive.startsWith('frame-ancestors'))
    .join('; ');

describe('CSP meta', () => {
  test('renderer/index.html has a CSP meta equal to the header policy', () => {
    const html = readFileSync(join(repoRoot, 'renderer', 'index.html'), 'utf8');
    expect(metaPolicy(html)).toBe(headerWithoutFrameAncestors());
    expect(metaPolicy(html)).toContain("script-src 'self'");
    expect(metaPolicy(html)).not.toContain('unsafe-eval');
  });

  // The built renderer is what the app and serve mode load (`npm run build` makes it).
  test.skipIf(!existsSync(join(repoRoot, 'out', 'renderer', 'index.html')))('the built index.html keeps the strict policy', () => {
    const html = readFileSync(join(repoRoot, 'out', 'renderer', 'index.html'), 'utf8');
    expect(metaPolicy(html)).toBe(headerWithoutFrameAncestors());
  });
});
