/**
 * The newer formats and OCR (bench:ingest sections `formats` and `ocr`).
 *
 * formats  The same generated text (--format-files documents of ~600 words,
 *          headings and paragraphs; spreadsheets get it as rows) written as
 *          pptx, xlsx, ods, odt, epub, eml and mbox, and as Markdown and docx, the
 *          baselines: each set parsed and chunked by Tandem (`parseFile` +
 *          `chunkDocument`), rounds rotating the order; files/s per format and
 *          its ratios to Markdown's and docx's files/s in the same round (median of rounds).
 * ocr      --ocr-pages pages of rendered text (1700x2200 px, ~200 dpi Letter)
 *          as a scanned PDF (images only, no text layer) read by Tandem
 *          (`parsePdf` with the `OcrEngine`: pdf.js renders each page, tesseract.js
 *          reads it in its worker thread), against the baseline of tesseract.js
 *          alone reading the same pages as PNGs (one worker, same language data,
 *          the page images already rendered). Pages/s, the ratio, the engine's
 *          start, word recall against the drawn text, and the main thread's
 *          event-loop delay while Tandem OCRs.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import type Tesseract from 'tesseract.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { chunkDocument, estimateTokens } from '../../electron/core/documents/chunker';
import { documentTypeForPath } from '../../electron/core/documents/file-types';
import { OcrEngine, languageFile } from '../../electron/core/documents/ocr/ocr-engine';
import { renderPdfPages } from '../../electron/core/documents/ocr/pdf-page-renderer';
import { parseFile } from '../../electron/core/documents/parsers/parse-file';
import { docxBytes } from '../../tests/fixtures/documents/docx-writer';
import { epubFile, emlText, imagePdf, mboxText, odsFile, odtFile, pptxFile, renderTextImage, xlsxFile } from '../../tests/fixtures/documents-formats/format-writers';

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCAB = (
  'harbour ledger valve pressure calibrate survey glaze kiln rope knot tide anchor budget invoice quarter region hiring roadmap ' +
  'sensor firmware release backup restore network router printer driver schedule meeting supplier shipment warranty repair ' +
  'install configure module kernel package archive mirror server client session token policy account report summary table'
).split(' ');

interface Doc {
  title: string;
  sections: { heading: string; paragraphs: string[] }[];
}

function makeDocs(count: number, seed: number): Doc[] {
  const random = rng(seed);
  const word = () => VOCAB[Math.floor(random() ** 2 * VOCAB.length)]!;
  const sentence = () => {
    const words = Array.from({ length: 8 + Math.floor(random() * 10) }, word);
    return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
  };
  return Array.from({ length: count }, (_, i) => ({
    title: `Document ${i} ${word()}`,
    sections: Array.from({ length: 5 }, (_, s) => ({ heading: `Part ${s + 1} ${word()}`, paragraphs: Array.from({ length: 3 }, () => Array.from({ length: 3 }, sentence).join(' ')) })),
  }));
}

const asRows = (doc: Doc): (string | number)[][] => [['Section', 'Line', 'Text'], ...doc.sections.flatMap((s) => s.paragraphs.flatMap((p, i) => p.split('. ').map((line, j) => [s.heading, i * 10 + j, line])))];

const WRITERS: Record<string, (doc: Doc, i: number) => Promise<Buffer | string>> = {
  md: async (doc) => `# ${doc.title}\n\n${doc.sections.map((s) => `## ${s.heading}\n\n${s.paragraphs.join('\n\n')}`).join('\n\n')}\n`,
  docx: async (doc) => Buffer.from(docxBytes([{ heading: 1, text: doc.title }, ...doc.sections.flatMap((s) => [{ heading: 2 as const, text: s.heading }, ...s.paragraphs.map((text) => ({ text }))])])),
  pptx: (doc) => pptxFile(doc.sections.map((s) => ({ title: s.heading, lines: s.paragraphs.slice(0, 2), notes: s.paragraphs[2] }))),
  xlsx: (doc) => xlsxFile([{ name: 'Sheet1', rows: asRows(doc) }]),
  ods: (doc) => odsFile([{ name: 'Sheet1', rows: asRows(doc) }]),
  odt: (doc) => odtFile([{ heading: doc.title, level: 1, paragraphs: [] }, ...doc.sections.map((s) => ({ heading: s.heading, level: 2, paragraphs: s.paragraphs }))]),
  epub: (doc) => epubFile(doc.title, doc.sections.map((s) => ({ title: s.heading, paragraphs: s.paragraphs }))),
  eml: async (doc, i) => emlText({ from: 'Ana <ana@example.org>', to: 'team@example.org', subject: doc.title, date: new Date(Date.UTC(2024, 0, 1 + i)), body: doc.sections.map((s) => s.paragraphs.join('\n\n')).join('\n\n') }),
  mbox: async (doc, i) =>
    mboxText(doc.sections.map((s, j) => ({ from: 'Ana <ana@example.org>', to: 'team@example.org', subject: s.heading, date: new Date(Date.UTC(2024, 0, 1 + i, j)), body: s.paragraphs.join('\n\n') }))),
};

export async function runFormatsBench(options: { root: string; files: number; rounds: number }): Promise<string[]> {
  console.log(`\n== 4. formats: ${options.files} documents of ~600 words per format, parsed + chunked, ${options.rounds} round(s); baselines: the same text as Markdown and as docx`);
  const docs = makeDocs(options.files, 16);
  const folders = new Map<string, { paths: string[]; bytes: number }>();
  for (const [ext, write] of Object.entries(WRITERS)) {
    const dir = join(options.root, 'formats', ext);
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    let bytes = 0;
    for (const [i, doc] of docs.entries()) {
      const path = join(dir, `doc-${i}.${ext}`);
      const data = await write(doc, i);
      await writeFile(path, data);
      bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      paths.push(path);
    }
    folders.set(ext, { paths, bytes });
  }
  const parseAll = async (paths: string[]) => {
    let chunks = 0;
    const started = performance.now();
    for (const path of paths) {
      const info = await stat(path);
      const doc = await parseFile({ path, sizeBytes: info.size, mtimeMs: info.mtimeMs, type: documentTypeForPath(path)! });
      chunks += chunkDocument(doc, { countTokens: estimateTokens, maxTokens: 256, overlapTokens: 32 }).length;
    }
    return { seconds: (performance.now() - started) / 1000, chunks };
  };
  await parseAll(folders.get('md')!.paths.slice(0, 5)); // warm-up
  const exts = [...folders.keys()];
  const rates = new Map<string, number[]>(exts.map((e) => [e, []]));
  const ratios = new Map<string, number[]>(exts.map((e) => [e, []]));
  const docxRatios = new Map<string, number[]>(exts.map((e) => [e, []]));
  const chunkCounts = new Map<string, number>();
  for (let round = 0; round < options.rounds; round++) {
    const order = exts.map((_, i) => exts[(i + round) % exts.length]!);
    const perRound = new Map<string, number>();
    for (const ext of order) {
      const { seconds, chunks } = await parseAll(folders.get(ext)!.paths);
      perRound.set(ext, options.files / seconds);
      chunkCounts.set(ext, chunks);
    }
    for (const ext of exts) {
      rates.get(ext)!.push(perRound.get(ext)!);
      ratios.get(ext)!.push(perRound.get(ext)! / perRound.get('md')!);
      docxRatios.get(ext)!.push(perRound.get(ext)! / perRound.get('docx')!);
    }
  }
  const summary: string[] = [];
  console.log('format  files/s (rounds)                 vs Markdown  vs docx  chunks  size');
  for (const ext of exts) {
    const r = rates.get(ext)!;
    const line =
      `${ext.padEnd(6)}  ${fmt(median(r), 0).padStart(5)} (${r.map((x) => fmt(x, 0)).join(', ')})`.padEnd(41) +
      `  ${fmt(median(ratios.get(ext)!))}`.padEnd(13) +
      `  ${fmt(median(docxRatios.get(ext)!))}`.padEnd(9) +
      `  ${String(chunkCounts.get(ext)).padStart(6)}  ${fmt(folders.get(ext)!.bytes / 1024 / 1024)} MB`;
    console.log(line);
    summary.push(`formats ${ext}: ${fmt(median(r), 0)} files/s, ${fmt(median(ratios.get(ext)!))}x Markdown's rate, ${fmt(median(docxRatios.get(ext)!))}x docx's`);
  }
  return summary;
}

export async function runOcrBench(options: { root: string; pages: number }): Promise<string[]> {
  console.log(`\n== 5. ocr: ${options.pages} scanned pages (1700x2200 px), Tandem (pdf.js render + OcrEngine) vs tesseract.js alone on the same pages as PNG`);
  const random = rng(7);
  const word = () => VOCAB[Math.floor(random() * VOCAB.length)]!;
  const pages = [];
  const truth: string[][] = [];
  for (let p = 0; p < options.pages; p++) {
    const lines = Array.from({ length: 24 }, () => Array.from({ length: 7 }, word).join(' '));
    truth.push(lines.join(' ').split(' '));
    pages.push(await renderTextImage(lines, 1700, 2200, 40));
  }
  const pdfPath = join(options.root, 'ocr', 'scan.pdf');
  await mkdir(dirname(pdfPath), { recursive: true });
  await writeFile(pdfPath, imagePdf(pages));
  const recall = (texts: string[]) => {
    let found = 0;
    let total = 0;
    texts.forEach((text, i) => {
      const seen = new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
      for (const w of truth[i] ?? []) {
        total++;
        if (seen.has(w)) found++;
      }
    });
    return found / total;
  };

  // Baseline: one tesseract.js worker, the same language data, reading the rendered PNGs.
  const require = createRequire(import.meta.url);
  const tesseract = require('tesseract.js') as typeof Tesseract;
  const langPath = dirname(await languageFile('eng'));
  let started = performance.now();
  const worker = await tesseract.createWorker('eng', 1, { langPath, gzip: true, cacheMethod: 'none' });
  const baselineStart = (performance.now() - started) / 1000;
  await worker.recognize(pages[0]!.png); // warm-up
  started = performance.now();
  const baseTexts: string[] = [];
  for (const page of pages) baseTexts.push((await worker.recognize(page.png)).data.text);
  const baseSeconds = (performance.now() - started) / 1000;
  await worker.terminate();

  // Tandem: the scanned PDF through parseFile with the OCR engine (one worker on 2 cores), warmed up on one page first.
  const engine = new OcrEngine({ languages: () => ['eng'] });
  started = performance.now();
  await engine.recognize(pages[0]!.png);
  const engineStart = (performance.now() - started) / 1000;
  // pdf.js loads once per process (a 2 MB module compiled on the main thread, as for any PDF): not part of OCR's cost.
  await import('pdfjs-dist/legacy/build/pdf.mjs');
  for await (const warm of renderPdfPages(await readFile(pdfPath), [1], { pixels: 2200, maxScale: 4 })) void warm;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  started = performance.now();
  const info = await stat(pdfPath);
  const doc = await parseFile({ path: pdfPath, sizeBytes: info.size, mtimeMs: 0, type: 'pdf' }, { ocr: engine });
  const tandemSeconds = (performance.now() - started) / 1000;
  delay.disable();
  await engine.dispose();
  const tandemTexts = Array.from({ length: options.pages }, (_, i) => doc.sections.find((s) => s.page === i + 1)?.text ?? '');

  const basePps = options.pages / baseSeconds;
  const tandemPps = options.pages / tandemSeconds;
  console.log(`baseline    tesseract.js alone: ${fmt(basePps, 3)} pages/s (${fmt(baseSeconds, 1)} s; worker start ${fmt(baselineStart, 2)} s, first page excluded); word recall ${fmt(recall(baseTexts) * 100, 1)}%`);
  console.log(`tandem      scanned PDF, parseFile + OcrEngine: ${fmt(tandemPps, 3)} pages/s (${fmt(tandemSeconds, 1)} s; engine start + first page ${fmt(engineStart, 2)} s); word recall ${fmt(recall(tandemTexts) * 100, 1)}%`);
  console.log(`ratio       Tandem / tesseract.js alone: ${fmt(tandemPps / basePps)} (render + PNG encode + pdf.js per page are the difference)`);
  console.log(`main thread event-loop delay while OCR ran: p50 ${fmt(delay.percentile(50) / 1e6, 1)} ms, p99 ${fmt(delay.percentile(99) / 1e6, 1)} ms, max ${fmt(delay.max / 1e6, 1)} ms`);
  return [
    `ocr: Tandem ${fmt(tandemPps, 3)} pages/s vs tesseract.js alone ${fmt(basePps, 3)} pages/s (ratio ${fmt(tandemPps / basePps)}), word recall ${fmt(recall(tandemTexts) * 100, 1)}%, event-loop max ${fmt(delay.max / 1e6, 0)} ms`,
  ];
}
