import type { ParsedDocument } from '../types';
import { buildDocument, type SectionDraft } from './sections';
import { attrOf, childrenOf, findFirst, tagOf, type XmlNode } from './xml-tree';
import { odfText } from './odf-text';
import { ZipArchive } from './zip-archive';

/** Generated indexes repeat the headings; their text is not the document's. */
const SKIPPED = new Set(['text:table-of-content', 'text:alphabetical-index', 'text:illustration-index', 'text:bibliography', 'text:tracked-changes', 'office:forms', 'text:sequence-decls', 'table:table-header-columns']);

/**
 * An OpenDocument text (.odt) as sections split at its headings (`text:h`
 * with an outline level), each with the path of headings above it; lists and
 * tables become lines of text.
 */
export async function parseOdt(bytes: Uint8Array): Promise<ParsedDocument> {
  const archive = await ZipArchive.open(bytes, 'OpenDocument text');
  const content = await archive.xml('content.xml', true);
  const body = findFirst(content, 'office:text');
  const drafts: SectionDraft[] = [];
  const stack: { level: number; title: string }[] = [];
  let lines: string[] = [];
  const flush = () => {
    drafts.push({ page: null, headingPath: stack.map((h) => h.title), text: lines.join('\n') });
    lines = [];
  };
  const visit = (nodes: XmlNode[]) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (!tag || SKIPPED.has(tag)) continue;
      if (tag === 'text:h') {
        const title = odfText(childrenOf(node)).replace(/\s+/g, ' ').trim();
        if (!title) continue;
        flush();
        const level = Number(attrOf(node, 'text:outline-level') ?? 1) || 1;
        while (stack.length > 0 && (stack[stack.length - 1]?.level ?? 0) >= level) stack.pop();
        stack.push({ level, title });
        lines.push(title);
      } else if (tag === 'text:p') {
        lines.push(odfText(childrenOf(node)));
      } else if (tag === 'table:table-row') {
        const cells = childrenOf(node)
          .filter((cell) => tagOf(cell) === 'table:table-cell')
          .map((cell) => childrenOf(cell).map((p) => odfText(childrenOf(p))).join(' ').trim());
        lines.push(cells.join(' | '));
      } else {
        visit(childrenOf(node));
      }
    }
  };
  visit(body ? childrenOf(body) : []);
  flush();
  return buildDocument('odt', drafts);
}
