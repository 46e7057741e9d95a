import type { ComponentProps } from 'react';
import type { ExtraProps } from 'react-markdown';
import { CopyButton } from './copy-button';

type Element = NonNullable<ExtraProps['node']>;
type Node = Element | Element['children'][number];

function textOf(node: Node): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') return node.children.map(textOf).join('');
  return '';
}

function languageOf(node: Element | undefined): string | null {
  const code = node?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
  const classes = code?.properties.className;
  const list = Array.isArray(classes) ? classes.map(String) : [];
  const language = list.find((name) => name.startsWith('language-'));
  return language ? language.slice('language-'.length) : null;
}

/** A fenced code block with its language and a copy button. */
export function CodeBlock({ node, children, ...props }: ComponentProps<'pre'> & ExtraProps) {
  const language = languageOf(node);
  return (
    <div className="code-block">
      <div className="code-block__bar">
        <span className="code-block__language">{language ?? 'text'}</span>
        <CopyButton text={node ? textOf(node) : ''} label="Copy code" />
      </div>
      <pre {...props}>{children}</pre>
    </div>
  );
}
