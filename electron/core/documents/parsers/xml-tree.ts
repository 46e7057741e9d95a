import { XMLParser } from 'fast-xml-parser';

/**
 * An XML element as fast-xml-parser's `preserveOrder` mode gives it, which
 * keeps mixed content in reading order (`<p>Hello <span>world</span></p>`):
 * `{ [tag]: children, ':@'?: attributes }` or a text node `{ '#text': value }`.
 */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Text stays as written: no number parsing, no trimming (spaces between runs are words' spaces).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

/** Parses an XML document (OOXML, ODF, OPF, XHTML) into nodes; throws on malformed XML. */
export function parseXml(xml: string): XmlNode[] {
  return parser.parse(xml) as XmlNode[];
}

/** The element's tag ("a:t", "text:p"); null for a text node. */
export function tagOf(node: XmlNode): string | null {
  for (const key of Object.keys(node)) if (key !== ':@' && key !== '#text') return key;
  return null;
}

/** Local name without the namespace prefix ("t" for "a:t"). */
export function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(colon + 1);
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const children = tag ? node[tag] : null;
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

export function attrOf(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'] as Record<string, unknown> | undefined;
  const value = attrs?.[name];
  return value === undefined ? undefined : String(value);
}

/** The text of a text node; undefined for an element. */
export function textOf(node: XmlNode): string | undefined {
  const value = node['#text'];
  return value === undefined ? undefined : String(value);
}

/** Every element below `nodes` (depth first, document order) whose tag is `tag`. */
export function findAll(nodes: readonly XmlNode[], tag: string, out: XmlNode[] = []): XmlNode[] {
  for (const node of nodes) {
    if (tagOf(node) === tag) out.push(node);
    findAll(childrenOf(node), tag, out);
  }
  return out;
}

/** The first element with this tag, searched depth first. */
export function findFirst(nodes: readonly XmlNode[], tag: string): XmlNode | undefined {
  for (const node of nodes) {
    if (tagOf(node) === tag) return node;
    const inner = findFirst(childrenOf(node), tag);
    if (inner) return inner;
  }
  return undefined;
}

/** All text under the nodes, concatenated; `onElement` may replace an element's text (return undefined to descend). */
export function collectText(nodes: readonly XmlNode[], onElement?: (node: XmlNode, tag: string) => string | undefined): string {
  let out = '';
  for (const node of nodes) {
    const text = textOf(node);
    if (text !== undefined) {
      out += text;
      continue;
    }
    const tag = tagOf(node);
    if (!tag) continue;
    const replaced = onElement?.(node, tag);
    out += replaced ?? collectText(childrenOf(node), onElement);
  }
  return out;
}
