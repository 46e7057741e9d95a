import { memo } from 'react';
import Markdown, { type Components, type Options } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './code-block';

// rehype-highlight builds its highlighter (every grammar) when the plugin is
// attached, and react-markdown attaches plugins on every render; build it once
// so a streaming answer does not rebuild it every frame.
const highlight = rehypeHighlight({ detect: false });
const rehypePlugins: Options['rehypePlugins'] = [() => highlight];
const remarkPlugins: Options['remarkPlugins'] = [remarkGfm];

const components: Components = {
  pre: CodeBlock,
  a: ({ href, title, children }) => (
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

/** An assistant answer as GitHub-flavoured Markdown with highlighted code. */
export const MessageMarkdown = memo(function MessageMarkdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </Markdown>
    </div>
  );
});
