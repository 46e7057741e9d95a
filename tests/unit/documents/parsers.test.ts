import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { decodeText } from '../../../electron/core/documents/parsers/decode-text';
import { parseHtml } from '../../../electron/core/documents/parsers/html-parser';
import { parseMarkdown } from '../../../electron/core/documents/parsers/markdown-parser';
import { parseFile } from '../../../electron/core/documents/parsers/parse-file';
import { documentText } from '../../../electron/core/documents/parsers/sections';
import { DocumentParseError, type ParsedDocument, type ScannedFile } from '../../../electron/core/documents/types';
import { writeDocx } from '../../fixtures/documents/docx-writer';
import { writeCorruptPdf, writeEncryptedPdf, writePdf } from '../../fixtures/documents/pdf-writer';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

async function fileOf(name: string, type: ScannedFile['type'], write: (path: string) => Promise<void>): Promise<ScannedFile> {
  const path = join(await temp.make('tandem-parse-'), name);
  await write(path);
  return { path, type, sizeBytes: 1, mtimeMs: 0 };
}

const textFile = (name: string, type: ScannedFile['type'], content: string | Buffer) => fileOf(name, type, (path) => writeFile(path, content));

async function parseError(file: ScannedFile): Promise<DocumentParseError> {
  const error = await parseFile(file).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentParseError);
  return error as DocumentParseError;
}

/** Every section's charStart points at its text in the whole document text. */
function expectOffsetsExact(doc: ParsedDocument): void {
  const whole = documentText(doc);
  for (const section of doc.sections) expect(whole.slice(section.charStart, section.charStart + section.text.length)).toBe(section.text);
}

describe('PDF', () => {
  test('one section per page, numbered from 1, with the text of its lines', async () => {
    const file = await fileOf('report.pdf', 'pdf', (path) =>
      writePdf(path, [['Quarterly report', 'Revenue (net) grew 4%.'], ['Hiring \\ staffing'], ['The Zanzibar protocol uses port 7431.']]),
    );
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    const doc = await parseFile(file);
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(doc.type).toBe('pdf');
    expect(doc.sections.map((section) => [section.page, section.text])).toEqual([
      [1, 'Quarterly report\nRevenue (net) grew 4%.'],
      [2, 'Hiring \\ staffing'],
      [3, 'The Zanzibar protocol uses port 7431.'],
    ]);
    expectOffsetsExact(doc);
  });

  test('a page without text is left out; the other pages keep their numbers', async () => {
    const file = await fileOf('gap.pdf', 'pdf', (path) => writePdf(path, [['First'], [], ['Third']]));
    const doc = await parseFile(file);
    expect(doc.sections.map((section) => section.page)).toEqual([1, 3]);
  });

  test('a password-protected PDF is ENCRYPTED', async () => {
    const error = await parseError(await fileOf('locked.pdf', 'pdf', writeEncryptedPdf));
    expect(error.code).toBe('ENCRYPTED');
    expect(error.message).toBe('The PDF is password-protected');
  });

  test('a damaged PDF is CORRUPT', async () => {
    const error = await parseError(await fileOf('broken.pdf', 'pdf', writeCorruptPdf));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toMatch(/damaged/);
  });

  test('a PDF with no text at all is EMPTY and says it may be a scan', async () => {
    const error = await parseError(await fileOf('scan.pdf', 'pdf', (path) => writePdf(path, [[], []])));
    expect(error.code).toBe('EMPTY');
    expect(error.message).toMatch(/scanned/);
  });
});

describe('docx', () => {
  test('splits at Heading 1 / Heading 2 with the heading path', async () => {
    const file = await fileOf('handbook.docx', 'docx', (path) =>
      writeDocx(path, [
        { text: 'Preface before any heading.' },
        { heading: 1, text: 'Employee handbook' },
        { text: 'Welcome & hello.' },
        { heading: 2, text: 'Holidays' },
        { text: 'Thirty days.' },
        { heading: 2, text: 'Expenses' },
        { text: 'Keep receipts.' },
        { heading: 1, text: 'Appendix' },
        { text: 'Forms.' },
      ]),
    );
    const doc = await parseFile(file);
    expect(doc.type).toBe('docx');
    expect(doc.sections.map((section) => [section.headingPath, section.text])).toEqual([
      [[], 'Preface before any heading.'],
      [['Employee handbook'], 'Employee handbook\n\nWelcome & hello.'],
      [['Employee handbook', 'Holidays'], 'Holidays\n\nThirty days.'],
      [['Employee handbook', 'Expenses'], 'Expenses\n\nKeep receipts.'],
      [['Appendix'], 'Appendix\n\nForms.'],
    ]);
    expectOffsetsExact(doc);
  });

  test('a file that is not a valid .docx zip is CORRUPT', async () => {
    const error = await parseError(await textFile('fake.docx', 'docx', 'PK\u0003\u0004 this is not a zip'));
    expect(error.code).toBe('CORRUPT');
  });
});

describe('Markdown', () => {
  test('ATX headings build the heading path; # inside fenced code is not a heading', () => {
    const doc = parseMarkdown(
      'Intro line.\n\n# Guide\n\nText.\n\n## Install ##\n\n```sh\n# comment, not a heading\n```\n\n~~~\n## still code\n~~~\n\n### Linux\n\nAppImage.\n\n#### Deep\n\nMore.\n\n## Use\n\nOpen it.\n\n#NoSpace is text\n',
    );
    expect(doc.sections.map((section) => section.headingPath)).toEqual([
      [],
      ['Guide'],
      ['Guide', 'Install'],
      ['Guide', 'Install', 'Linux'],
      ['Guide', 'Install', 'Linux', 'Deep'],
      ['Guide', 'Use'],
    ]);
    expect(doc.sections[2]?.text).toContain('# comment, not a heading');
    expect(doc.sections[2]?.text).toContain('## still code');
    expect(doc.sections[5]?.text).toBe('## Use\n\nOpen it.\n\n#NoSpace is text');
    expectOffsetsExact(doc);
  });

  test('a heading level jump and a return to a shallower level keep the path right', () => {
    const doc = parseMarkdown('# A\n\na\n\n### C\n\nc\n\n## B\n\nb\n');
    expect(doc.sections.map((section) => section.headingPath)).toEqual([['A'], ['A', 'C'], ['A', 'B']]);
  });
});

describe('HTML', () => {
  test('headings build the path; scripts, styles and comments vanish; entities are decoded; blocks become lines', () => {
    const doc = parseHtml(
      '<!doctype html><html><head><title>T</title><style>h1 { color: red }</style><script>var x = "<h1>fake</h1>";</script></head>' +
        '<body><p>Before &amp; after</p><h1 class="big">Main <em>title</em></h1><!-- hidden comment --><p>One&nbsp;&lt;two&gt; &#8212; &#x41;</p>' +
        '<ul><li>first</li><li>second</li></ul><h2>Sub</h2><div>Sub text<br>next line</div><script type="module">alert(1)</script>' +
        '<h1>Second</h1><p>Tail 3 < 4 and <unclosed</p></body></html>',
    );
    expect(doc.sections.map((section) => section.headingPath)).toEqual([[], ['Main title'], ['Main title', 'Sub'], ['Second']]);
    const whole = documentText(doc);
    expect(whole).not.toMatch(/color|alert|var x|fake|hidden comment/);
    expect(doc.sections[0]?.text).toBe('Before & after');
    expect(doc.sections[1]?.text).toBe('Main title\n\nOne\u00a0<two> — A\n\nfirst\nsecond');
    expect(doc.sections[2]?.text).toBe('Sub\n\nSub text\nnext line');
    expect(doc.sections[3]?.text).toContain('Tail 3 < 4');
    expectOffsetsExact(doc);
  });
});

describe('text, code, CSV, JSON and decoding', () => {
  test('a UTF-8 BOM is dropped and Latin-1 files decode', async () => {
    expect(decodeText(Buffer.from('\ufeffHello', 'utf8'))).toBe('Hello');
    expect(decodeText(Buffer.from('Café déjà vu', 'latin1'))).toBe('Café déjà vu');
    const doc = await parseFile(await textFile('old.txt', 'text', Buffer.from('Zürich\r\nGenève\r\n', 'latin1')));
    expect(doc.sections).toEqual([{ page: null, headingPath: [], text: 'Zürich\nGenève', charStart: 0 }]);
  });

  test('code is one section headed by the file name; CSV and JSON keep their text', async () => {
    const code = await parseFile(await textFile('app.ts', 'code', 'export const a = 1;\n\nexport const b = 2;\n'));
    expect(code.sections).toEqual([{ page: null, headingPath: ['app.ts'], text: 'export const a = 1;\n\nexport const b = 2;', charStart: 0 }]);
    const csv = await parseFile(await textFile('data.csv', 'csv', 'a,b\n1,2\n'));
    expect(csv).toEqual({ type: 'csv', sections: [{ page: null, headingPath: [], text: 'a,b\n1,2', charStart: 0 }] });
    const json = await parseFile(await textFile('c.json', 'json', '{"k": [1, 2]}'));
    expect(json.type).toBe('json');
    expect(json.sections[0]?.text).toBe('{"k": [1, 2]}');
  });

  test('a file of only whitespace is EMPTY; a missing file is UNREADABLE', async () => {
    expect((await parseError(await textFile('blank.md', 'markdown', '  \n\n\t\n'))).code).toBe('EMPTY');
    const missing: ScannedFile = { path: join(await temp.make(), 'gone.md'), type: 'markdown', sizeBytes: 1, mtimeMs: 0 };
    expect((await parseError(missing)).code).toBe('UNREADABLE');
  });

  test('an aborted parse rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const file = await textFile('a.md', 'markdown', '# A');
    await expect(parseFile(file, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
