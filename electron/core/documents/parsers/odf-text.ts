import { attrOf, type XmlNode } from './xml-tree';
import { collectText } from './xml-tree';

/** Inline ODF text: `text:s` (spaces), tabs and line breaks as characters; notes, annotations and change records left out. */
export function odfText(nodes: readonly XmlNode[]): string {
  return collectText(nodes, (node, tag) => {
    if (tag === 'text:s') return ' '.repeat(Math.min(Number(attrOf(node, 'text:c') ?? 1) || 1, 64));
    if (tag === 'text:tab') return '\t';
    if (tag === 'text:line-break') return '\n';
    if (tag === 'office:annotation' || tag === 'text:note' || tag === 'text:tracked-changes' || tag === 'text:bookmark-ref') return '';
    return undefined;
  });
}
