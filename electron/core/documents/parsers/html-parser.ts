import type { DocumentType } from '../../../../shared/ipc/routes/documents';
import type { ParsedDocument } from '../types';
import { decodeHtmlEntities } from './html-entities';
import { buildDocument, type SectionDraft } from './sections';

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'details', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td',
  'tfoot', 'th', 'thead', 'tr', 'ul', 'body', 'html', 'title', 'caption',
]);
/** Blocks that end a paragraph (a blank line, where the chunker prefers to split). */
const PARAGRAPH_TAGS = new Set(['p', 'div', 'section', 'article', 'table', 'ul', 'ol', 'pre', 'blockquote', 'figure', 'dl', 'hr']);
/** Elements whose content is never shown as text. */
const HIDDEN_TAGS = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object']);
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]*>?|<\?[^>]*>?|<\/?([a-zA-Z][a-zA-Z0-9-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+|</;

/**
 * HTML as sections split at `h1`–`h6`, each with the path of headings above
 * it. Scripts, styles and comments are dropped, entities decoded, block
 * elements become line breaks. Tolerates broken markup (unclosed tags, stray `<`).
 */
export function parseHtml(html: string, type: DocumentType = 'html'): ParsedDocument {
  const drafts: SectionDraft[] = [];
  const stack: { level: number; title: string }[] = [];
  let body = '';
  let heading: { level: number; text: string } | null = null;
  let preDepth = 0;
  let hiddenTag: string | null = null;
  const flush = () => {
    drafts.push({ page: null, headingPath: stack.map((entry) => entry.title), text: tidy(body) });
    body = '';
  };
  const append = (text: string) => {
    if (heading) heading.text += text;
    body += text;
  };
  const tokens = new RegExp(TOKEN.source, 'gy');
  let match: RegExpExecArray | null;
  while ((match = tokens.exec(html)) !== null) {
    const token = match[0];
    if (token === '') break;
    const tag = match[1]?.toLowerCase();
    if (hiddenTag) {
      if (tag === hiddenTag && token.startsWith('</')) hiddenTag = null;
      continue;
    }
    if (!tag) {
      if (token.startsWith('<!--') || token.startsWith('<!') || token.startsWith('<?')) continue;
      const text = decodeHtmlEntities(token);
      append(preDepth > 0 ? text.replace(/\r\n?/g, '\n') : text.replace(/[ \t\r\n\f]+/g, ' '));
      continue;
    }
    const closing = token.startsWith('</');
    if (HIDDEN_TAGS.has(tag)) {
      if (!closing && !token.endsWith('/>')) hiddenTag = tag;
      continue;
    }
    const level = /^h([1-6])$/.exec(tag)?.[1];
    if (level) {
      if (!closing) {
        flush();
        heading = { level: Number(level), text: '' };
        body += '\n';
      } else if (heading) {
        const title = tidy(heading.text).replace(/\s+/g, ' ');
        while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
        stack.push({ level: heading.level, title });
        heading = null;
        body += '\n';
      }
      continue;
    }
    if (tag === 'pre') preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
    if (PARAGRAPH_TAGS.has(tag)) append('\n\n');
    // A line break opens a block (a list item, a cell); closing it adds none, so items are not double-spaced.
    else if (BLOCK_TAGS.has(tag) && (!closing || tag === 'br')) append('\n');
    else if (tag === 'img' && !closing) append(altText(token));
  }
  flush();
  return buildDocument(type, drafts);
}

function altText(tag: string): string {
  const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
  const text = alt?.[1] ?? alt?.[2] ?? '';
  return text ? ` ${decodeHtmlEntities(text)} ` : '';
}

/** Trims spaces around line breaks and keeps at most one blank line in a row. */
function tidy(text: string): string {
  return text
    .replace(/[ \t\u00a0]*\n[ \t\u00a0]*/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
