/**
 * The "naive" ingest a user would write with LangChain's loaders, splitter and
 * node-llama-cpp + LanceDB directly — the baseline of `npm run bench:ingest`.
 *
 * @langchain/community cannot be installed here (its peer openai@^4 conflicts
 * with our openai@7), so its loaders are re-implemented the way they work:
 *   - PDFLoader:  pdf-parse, one Document per page (metadata: source, page)
 *   - DocxLoader: mammoth.extractRawText, one Document per file
 *   - TextLoader: fs.readFile utf-8, one Document per file (Markdown too)
 * then the real RecursiveCharacterTextSplitter from @langchain/textsplitters,
 * the embedder called one text at a time (`getEmbeddingFor`), and LanceDB
 * `table.add` once per file (the first file creates the table).
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Document } from '@langchain/core/documents';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import mammoth from 'mammoth';
import type { LlamaEmbeddingContext } from 'node-llama-cpp';
import { PDFParse } from 'pdf-parse';

export interface NaiveOptions {
  chunkSize: number;
  chunkOverlap: number;
  /** The embedder, made by the caller from the same GGUF Tandem uses. */
  embedder: LlamaEmbeddingContext;
  /** LanceDB directory (fresh). */
  dbDir: string;
  /** Receives every chunk text embedded (to count tokens afterwards). */
  texts?: string[];
}

export interface NaiveResult {
  files: number;
  chunks: number;
  failed: number;
  /** The first failure, to tell a broken loader from a bad file. */
  firstError: string | null;
  seconds: number;
  /** Time inside getEmbeddingFor (part of `seconds`). */
  embedSeconds: number;
  /** Time inside table.add / createTable (part of `seconds`). */
  storeSeconds: number;
  /** Time loading + splitting (part of `seconds`). */
  parseSeconds: number;
}

/** DirectoryLoader with recursive: true and loaders by extension. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    if (['.pdf', '.docx', '.md', '.markdown', '.txt'].includes(extname(entry.name).toLowerCase())) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/**
 * pdf-parse bundles its own pdf.js (5.x) while Tandem uses pdfjs-dist 6; in
 * Node both run their worker on the main thread through the one global
 * `pdfjsWorker`, and whichever loads first wins (the other then fails with
 * "API version does not match the Worker version"). A user's app has only
 * one of them, so the naive loader runs with pdf-parse's own worker in that
 * global and puts Tandem's back afterwards (the pipelines never run at once).
 */
let pdfParseWorker: unknown = null;
async function withPdfParseWorker<T>(work: () => Promise<T>): Promise<T> {
  const global = globalThis as { pdfjsWorker?: unknown };
  const saved = global.pdfjsWorker;
  try {
    if (!pdfParseWorker) {
      const workerPath = createRequire(createRequire(import.meta.url).resolve('pdf-parse')).resolve('pdfjs-dist/legacy/build/pdf.worker.mjs');
      const worker = (await import(pathToFileURL(workerPath).href)) as { WorkerMessageHandler: unknown };
      pdfParseWorker = { WorkerMessageHandler: worker.WorkerMessageHandler };
    }
    global.pdfjsWorker = pdfParseWorker;
    return await work();
  } finally {
    if (saved === undefined) delete global.pdfjsWorker;
    else global.pdfjsWorker = saved;
  }
}

/** LangChain PDFLoader (splitPages: true): one Document per page. */
async function loadPdf(path: string): Promise<Document[]> {
  const data = await readFile(path);
  return withPdfParseWorker(() => loadPdfPages(path, data));
}

async function loadPdfPages(path: string, data: Buffer): Promise<Document[]> {
  const parser = new PDFParse({ data });
  try {
    const result = await parser.getText();
    return result.pages
      .filter((page) => page.text.trim().length > 0)
      .map((page) => new Document({ pageContent: page.text, metadata: { source: path, pdf: { totalPages: result.total }, loc: { pageNumber: page.num } } }));
  } finally {
    await parser.destroy();
  }
}

/** LangChain DocxLoader: mammoth.extractRawText, one Document. */
async function loadDocx(path: string): Promise<Document[]> {
  const { value } = await mammoth.extractRawText({ buffer: await readFile(path) });
  return [new Document({ pageContent: value, metadata: { source: path } })];
}

/** LangChain TextLoader. */
async function loadText(path: string): Promise<Document[]> {
  return [new Document({ pageContent: await readFile(path, 'utf8'), metadata: { source: path } })];
}

function load(path: string): Promise<Document[]> {
  const ext = extname(path).toLowerCase();
  if (ext === '.pdf') return loadPdf(path);
  if (ext === '.docx') return loadDocx(path);
  return loadText(path);
}

export async function naiveIngest(folder: string, options: NaiveOptions): Promise<NaiveResult> {
  const started = performance.now();
  let embedMs = 0;
  let storeMs = 0;
  let parseMs = 0;
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap });
  const db = await lancedb.connect(options.dbDir);
  let table: lancedb.Table | null = null;
  let files = 0;
  let chunks = 0;
  let failed = 0;
  let firstError: string | null = null;
  for (const path of await listFiles(folder)) {
    let docs: Document[];
    const parseStart = performance.now();
    try {
      docs = await splitter.splitDocuments(await load(path));
    } catch (error) {
      failed++;
      firstError ??= `${path}: ${(error as Error)?.message ?? String(error)}`;
      continue;
    } finally {
      parseMs += performance.now() - parseStart;
    }
    docs = docs.filter((doc) => doc.pageContent.trim().length > 0);
    if (docs.length === 0) continue;
    const rows: Record<string, unknown>[] = [];
    const embedStart = performance.now();
    for (const [i, doc] of docs.entries()) {
      const { vector } = await options.embedder.getEmbeddingFor(doc.pageContent);
      options.texts?.push(doc.pageContent);
      rows.push({
        vector: [...vector],
        text: doc.pageContent,
        source: path,
        page: (doc.metadata.loc as { pageNumber?: number } | undefined)?.pageNumber ?? 0,
        chunk: i,
      });
    }
    embedMs += performance.now() - embedStart;
    const storeStart = performance.now();
    if (!table) table = await db.createTable('documents', rows);
    else await table.add(rows);
    storeMs += performance.now() - storeStart;
    files++;
    chunks += rows.length;
  }
  table?.close();
  db.close();
  return {
    files,
    chunks,
    failed,
    firstError,
    seconds: (performance.now() - started) / 1000,
    embedSeconds: embedMs / 1000,
    storeSeconds: storeMs / 1000,
    parseSeconds: parseMs / 1000,
  };
}
