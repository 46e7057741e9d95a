import type { ParsedDocument } from '../types';
import { buildDocument, type SectionDraft } from './sections';

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Markdown split at ATX headings (`#` … `######`); each section carries the
 * path of headings above it. Lines inside fenced code blocks are never headings.
 */
export function parseMarkdown(text: string): ParsedDocument {
  const drafts: SectionDraft[] = [];
  const stack: { level: number; title: string }[] = [];
  let lines: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    drafts.push({ page: null, headingPath: stack.map((entry) => entry.title), text: lines.join('\n') });
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(line);
    if (fence) {
      if (fenceMatch?.[1] && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length && !line.trim().slice(fenceMatch[1].length).trim()) {
        fence = null;
      }
      lines.push(line);
      continue;
    }
    if (fenceMatch?.[1]) {
      fence = fenceMatch[1];
      lines.push(line);
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading?.[1]) {
      flush();
      const level = heading[1].length;
      while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= level) stack.pop();
      stack.push({ level, title: (heading[2] ?? '').trim() });
    }
    lines.push(line);
  }
  flush();
  return buildDocument('markdown', drafts);
}
