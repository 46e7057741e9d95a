import { DocumentParseError, type ParsedDocument } from '../types';
import { parseHtml } from './html-parser';
import { buildDocument, type SectionDraft } from './sections';
import { attrOf, childrenOf, collectText, findAll, findFirst, type XmlNode } from './xml-tree';
import { resolvePartPath, ZipArchive } from './zip-archive';

const FORMAT = 'EPUB book';

/**
 * An EPUB book: the package's spine in reading order, each XHTML document
 * split at its headings like HTML, cited as "Chapter N: TITLE" where N counts
 * the spine documents that hold text and TITLE comes from the book's table
 * of contents (EPUB 3 nav or EPUB 2 NCX), else the document's first heading.
 */
export async function parseEpub(bytes: Uint8Array): Promise<ParsedDocument> {
  const archive = await ZipArchive.open(bytes, FORMAT);
  const container = await archive.xml('META-INF/container.xml', true);
  const opfPath = findAll(container, 'rootfile').map((node) => attrOf(node, 'full-path')).find(Boolean);
  if (!opfPath) throw new DocumentParseError('CORRUPT', `The ${FORMAT} is damaged: META-INF/container.xml names no package file`);
  const opf = await archive.xml(opfPath, true);
  const manifest = new Map<string, { path: string; mediaType: string; properties: string }>();
  for (const item of findAll(opf, 'item')) {
    const id = attrOf(item, 'id');
    const href = attrOf(item, 'href');
    if (id && href) manifest.set(id, { path: resolvePartPath(opfPath, href), mediaType: attrOf(item, 'media-type') ?? '', properties: attrOf(item, 'properties') ?? '' });
  }
  const titles = await tocTitles(archive, opf, manifest);
  const drafts: SectionDraft[] = [];
  let chapter = 0;
  for (const ref of findAll(opf, 'itemref')) {
    if (attrOf(ref, 'linear') === 'no') continue;
    const item = manifest.get(attrOf(ref, 'idref') ?? '');
    if (!item || !/html/.test(item.mediaType) || item.properties.includes('nav')) continue;
    const html = await archive.text(item.path);
    if (html === null) continue;
    const sections = parseHtml(html, 'epub').sections;
    if (sections.length === 0) continue;
    chapter++;
    const title = titles.get(item.path) ?? sections.find((s) => s.headingPath.length > 0)?.headingPath[0] ?? '';
    const location = title ? `Chapter ${chapter}: ${title}` : `Chapter ${chapter}`;
    for (const section of sections) drafts.push({ page: null, headingPath: section.headingPath, text: section.text, location });
  }
  return buildDocument('epub', drafts);
}

/** Spine document path → its first title in the table of contents. */
async function tocTitles(archive: ZipArchive, opf: XmlNode[], manifest: Map<string, { path: string; mediaType: string; properties: string }>): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const add = (fromPart: string, href: string | undefined, label: string) => {
    const text = label.replace(/\s+/g, ' ').trim();
    if (!href || !text) return;
    const path = resolvePartPath(fromPart, href);
    if (!titles.has(path)) titles.set(path, text);
  };
  const nav = [...manifest.values()].find((item) => item.properties.split(/\s+/).includes('nav'));
  if (nav) {
    const nodes = await archive.xml(nav.path).catch(() => null);
    const tocNav = nodes ? findAll(nodes, 'nav').find((n) => (attrOf(n, 'epub:type') ?? '').includes('toc')) ?? findFirst(nodes, 'nav') : undefined;
    for (const link of tocNav ? findAll(childrenOf(tocNav), 'a') : []) add(nav.path, attrOf(link, 'href'), collectText(childrenOf(link)));
  }
  const spine = findFirst(opf, 'spine');
  const ncx = manifest.get((spine && attrOf(spine, 'toc')) ?? '') ?? [...manifest.values()].find((item) => item.mediaType === 'application/x-dtbncx+xml');
  if (ncx) {
    const nodes = await archive.xml(ncx.path).catch(() => null);
    for (const point of nodes ? findAll(nodes, 'navPoint') : []) {
      const label = findFirst(childrenOf(point), 'navLabel');
      const content = childrenOf(point).find((child) => 'content' in child);
      add(ncx.path, content ? attrOf(content, 'src') : undefined, label ? collectText(childrenOf(label)) : '');
    }
  }
  return titles;
}
