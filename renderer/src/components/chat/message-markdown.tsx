import { memo, useMemo } from 'react';
import Markdown, { type Components, type Options } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import type { Citation } from '../../../../shared/ipc/routes/documents';
import { useAppStore } from '../../store/store-context';
import { CITATION_HREF_PREFIX, CitationContext, CitationMarker, citationTarget, remarkCitations } from './citation-markers';
import { CodeBlock } from './code-block';

// rehype-highlight builds its highlighter (every grammar) when the plugin is
// attached, and react-markdown attaches plugins on every render; build it once
// so a streaming answer does not rebuild it every frame.
const highlight = rehypeHighlight({ detect: false });
const rehypePlugins: Options['rehypePlugins'] = [() => highlight];
const remarkPlugins: Options['remarkPlugins'] = [remarkGfm];
const remarkPluginsWithCitations: Options['remarkPlugins'] = [remarkGfm, remarkCitations];

const components: Components = {
  pre: CodeBlock,
  a: ({ href, title, children }) =>
    href?.startsWith(CITATION_HREF_PREFIX) ? (
      <CitationMarker n={Number(href.slice(CITATION_HREF_PREFIX.length))} fallback={children} />
    ) : (
      <a href={href} title={title} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ),
  // No remote content: an image becomes a link the person can choose to open.
  img: ({ src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt || src}
      </a>
    ) : null,
};

const NO_CITATIONS: readonly Citation[] = [];

/** An assistant answer as GitHub-flavoured Markdown with highlighted code; `[n]` markers open the cited source. */
export const MessageMarkdown = memo(function MessageMarkdown({ text, citations = NO_CITATIONS }: { text: string; citations?: readonly Citation[] }) {
  const openViewer = useAppStore((s) => s.openViewer);
  const context = useMemo(() => ({ citations, open: (citation: Citation) => openViewer(citationTarget(citation)) }), [citations, openViewer]);
  const markdown = (
    <div className="markdown">
      <Markdown remarkPlugins={citations.length > 0 ? remarkPluginsWithCitations : remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </Markdown>
    </div>
  );
  return citations.length > 0 ? <CitationContext.Provider value={context}>{markdown}</CitationContext.Provider> : markdown;
});
