import type { ParsedDocument } from '../types';
import { buildDocument, type SectionDraft } from './sections';
import { attrOf, childrenOf, collectText, findAll, findFirst, type XmlNode } from './xml-tree';
import { relationships, ZipArchive } from './zip-archive';

const FORMAT = 'PowerPoint file';
const PRESENTATION = 'ppt/presentation.xml';

/**
 * A PowerPoint (.pptx) deck as one section per slide, in the deck's order:
 * the slide's text (title first, tables and grouped shapes included) and its
 * speaker notes, cited as "Slide N" with the slide's title as its heading.
 */
export async function parsePptx(bytes: Uint8Array): Promise<ParsedDocument> {
  const archive = await ZipArchive.open(bytes, FORMAT);
  const presentation = await archive.xml(PRESENTATION, true);
  const rels = await relationships(archive, PRESENTATION);
  let slidePaths = findAll(presentation, 'p:sldId')
    .map((node) => rels.get(attrOf(node, 'r:id') ?? '')?.target)
    .filter((path): path is string => path !== undefined && archive.has(path));
  if (slidePaths.length === 0) {
    // No slide list (a generator that skipped it): the slide files by number.
    slidePaths = archive.list(/^ppt\/slides\/slide\d+\.xml$/).sort((a, b) => slideNumber(a) - slideNumber(b));
  }
  const drafts: SectionDraft[] = [];
  for (const [index, path] of slidePaths.entries()) {
    const slide = await archive.xml(path, true);
    const title = shapeText(slideShapes(slide).find(isTitle));
    const body = paragraphs(slide);
    let text = body.join('\n');
    const notesPath = [...(await relationships(archive, path)).values()].find((rel) => rel.type.endsWith('/notesSlide'))?.target;
    const notes = notesPath ? await archive.xml(notesPath) : null;
    if (notes) {
      const noteText = slideShapes(notes)
        .filter((shape) => placeholderType(shape) === 'body')
        .map((shape) => shapeText(shape))
        .filter(Boolean)
        .join('\n');
      if (noteText) text += `\n\nNotes:\n${noteText}`;
    }
    drafts.push({ page: null, headingPath: title ? [title] : [], text, location: `Slide ${index + 1}` });
  }
  return buildDocument('pptx', drafts);
}

function slideNumber(path: string): number {
  return Number(/(\d+)\.xml$/.exec(path)?.[1] ?? 0);
}

function slideShapes(nodes: XmlNode[]): XmlNode[] {
  return findAll(nodes, 'p:sp');
}

function placeholderType(shape: XmlNode): string | undefined {
  const ph = findFirst(childrenOf(shape), 'p:ph');
  if (!ph) return undefined;
  return attrOf(ph, 'type') ?? 'body';
}

function isTitle(shape: XmlNode): boolean {
  const type = placeholderType(shape);
  return type === 'title' || type === 'ctrTitle';
}

function shapeText(shape: XmlNode | undefined): string {
  return shape ? paragraphs([shape]).join('\n').trim() : '';
}

/** The text of every `a:p` paragraph under the nodes, empty ones left out. */
function paragraphs(nodes: XmlNode[]): string[] {
  return findAll(nodes, 'a:p')
    .map((p) => collectText(childrenOf(p), (_node, tag) => (tag === 'a:br' ? '\n' : tag === 'a:t' || tag === 'a:r' || tag === 'a:fld' ? undefined : '')).trim())
    .filter(Boolean);
}
