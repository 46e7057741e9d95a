import { createContext, useContext, type ReactNode } from 'react';
import type { Citation } from '../../../../shared/ipc/routes/documents';
import { describeLocation } from '../../lib/document-location';
import type { ViewerTarget } from '../../store/documents-slice';

/** Link target the remark plugin gives a `[n]` marker; the markdown's link renderer turns it into a button. */
export const CITATION_HREF_PREFIX = '#citation-';

interface MdNode {
  type: string;
  value?: string;
  url?: string;
  children?: MdNode[];
}

const MARKER = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

function splitText(value: string): MdNode[] | null {
  MARKER.lastIndex = 0;
  if (!MARKER.test(value)) return null;
  MARKER.lastIndex = 0;
  const out: MdNode[] = [];
  let last = 0;
  for (const match of value.matchAll(MARKER)) {
    if (match.index > last) out.push({ type: 'text', value: value.slice(last, match.index) });
    for (const n of match[1]!.split(',').map((part) => part.trim())) {
      out.push({ type: 'link', url: `${CITATION_HREF_PREFIX}${n}`, children: [{ type: 'text', value: `[${n}]` }] });
    }
    last = match.index + match[0].length;
  }
  if (last < value.length) out.push({ type: 'text', value: value.slice(last) });
  return out;
}

function walk(node: MdNode): void {
  if (!node.children || node.type === 'link' || node.type === 'linkReference') return;
  node.children = node.children.flatMap((child) => {
    if (child.type === 'text' && child.value) return splitText(child.value) ?? [child];
    walk(child);
    return [child];
  });
}

/** A remark plugin: `[1]` and `[1, 2]` in the answer's text (never in code) become citation links. */
export function remarkCitations() {
  return (tree: MdNode) => walk(tree);
}

interface CitationContextValue {
  citations: readonly Citation[];
  open: (citation: Citation) => void;
}

export const CitationContext = createContext<CitationContextValue | null>(null);

/** What the viewer needs to open a citation's place. */
export function citationTarget(citation: Citation): ViewerTarget {
  return {
    collectionId: citation.collectionId,
    path: citation.path,
    page: citation.page,
    headingPath: citation.headingPath,
    location: citation.location ?? null,
    ocr: citation.ocr ?? false,
    snippet: citation.snippet,
    charStart: null,
  };
}

/** A `[n]` in an answer: a button that opens the source in the viewer; plain text when no source n exists. */
export function CitationMarker({ n, fallback }: { n: number; fallback: ReactNode }) {
  const context = useContext(CitationContext);
  const citation = context?.citations.find((c) => c.n === n);
  if (!context || !citation) return <>{fallback}</>;
  return (
    <button
      type="button"
      className="citation-marker"
      aria-label={`Citation ${n}: ${describeLocation(citation)}`}
      title={describeLocation(citation)}
      onClick={() => context.open(citation)}
    >
      {n}
    </button>
  );
}
