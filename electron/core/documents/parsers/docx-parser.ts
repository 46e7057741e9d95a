import mammoth from 'mammoth';
import { DocumentParseError, type ParsedDocument } from '../types';
import { parseHtml } from './html-parser';

/**
 * mammoth's default style map minus the mappings that change no text
 * (bold, hyperlink and note-reference runs, Normal/Body/footnote paragraphs,
 * which come out as plain runs and `<p>` anyway): mammoth parses its style
 * map on every call, and the 50-line default was over a third of docx time
 * (bench/RESULTS-documents.md). What `parseHtml` needs: headings (sections)
 * and lists (`li` ends a line, `p` a paragraph).
 * Measured on the bench corpus' 146 docx: identical parsed documents, docx
 * parse time −30–45% (4 interleaved rounds: default map 480–740 ms, this one
 * 310–420 ms).
 */
const STYLE_MAP = [
  ...[1, 2, 3, 4, 5, 6].flatMap((n) => [`p.Heading${n} => h${n}:fresh`, `p[style-name='Heading ${n}'] => h${n}:fresh`, `p[style-name='heading ${n}'] => h${n}:fresh`]),
  // Apple Pages
  'p.Heading => h1:fresh',
  "p[style-name='Heading'] => h1:fresh",
  // Lists to two levels: every rule costs ~0.07 ms a file to parse, and deeper items still come out as text (as `<p>`).
  ...[1, 2].flatMap((level) => {
    const outer = 'ul|ol > li > '.repeat(level - 1);
    return [`p:unordered-list(${level}) => ${outer}ul > li:fresh`, `p:ordered-list(${level}) => ${outer}ol > li:fresh`];
  }),
];

/** A Word (.docx) file as sections split at its headings (Heading 1–6 styles). */
export async function parseDocx(bytes: Buffer): Promise<ParsedDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: bytes }, { includeDefaultStyleMap: false, styleMap: STYLE_MAP })).value;
  } catch (error) {
    throw new DocumentParseError('CORRUPT', `The Word file is damaged or not a .docx (${shortMessage(error)})`);
  }
  return parseHtml(html, 'docx');
}

function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 160) ?? 'unknown error';
}
