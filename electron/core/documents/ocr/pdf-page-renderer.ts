import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DocumentParseError } from '../types';

const require = createRequire(import.meta.url);

/**
 * Runs in a worker thread: opens the PDF with pdf.js, renders each asked page
 * on @napi-rs/canvas (pdf.js's canvas in Node) and posts it back as a PNG.
 * A string (an `eval` worker) so it needs no separate file in the app bundle;
 * it imports only packages, by the URLs the parent resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const pdfjs = await import(workerData.pdfjsUrl);
  const task = pdfjs.getDocument({ data: workerData.data, verbosity: 0, useWorkerFetch: false, disableFontFace: true, stopAtErrors: false });
  const doc = await task.promise;
  const imageOps = new Set(['paintImageXObject', 'paintInlineImageXObject', 'paintImageMaskXObject', 'paintImageXObjectRepeat', 'paintInlineImageXObjectGroup'].map((name) => pdfjs.OPS[name]));
  for (const number of workerData.pages) {
    // One page that cannot be drawn does not stop the others.
    try {
      const page = await doc.getPage(number);
      // A page with no image is blank, not a scan: nothing to read.
      const list = await page.getOperatorList();
      if (!list.fnArray.some((fn) => imageOps.has(fn))) {
        page.cleanup();
        parentPort.postMessage({ page: number, png: null });
        continue;
      }
      const base = page.getViewport({ scale: 1 });
      const scale = Math.min(workerData.maxScale, workerData.pixels / Math.max(base.width, base.height));
      const viewport = page.getViewport({ scale });
      const target = doc.canvasFactory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
      await page.render({ canvasContext: target.context, canvas: target.canvas, viewport, background: '#ffffff' }).promise;
      const encoded = await target.canvas.encode('png');
      doc.canvasFactory.destroy(target);
      page.cleanup();
      const png = new Uint8Array(encoded.byteLength);
      png.set(encoded);
      parentPort.postMessage({ page: number, png }, [png.buffer]);
    } catch (error) {
      parentPort.postMessage({ page: number, png: null, problem: String((error && error.message) || error) });
    }
  }
  await task.destroy();
  parentPort.postMessage({ done: true });
})().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
`;

type WorkerMessage = { page: number; png: Uint8Array | null; problem?: string } | { done: true } | { error: string };

export interface RenderOptions {
  /** Pixels on the page's longer side. */
  pixels: number;
  maxScale: number;
  signal?: AbortSignal;
}

/**
 * Renders PDF pages to PNG images in a worker thread, so decoding a scan's
 * image and drawing it (150–300 ms a page, more on a busy machine) never
 * holds up the calling thread. Yields the pages as they are ready (`png` null
 * for a page without any image: blank, nothing to read; null with `problem`
 * for a page that could not be drawn), so the caller can OCR one page while
 * the next renders. Throws PARSE_FAILED when the renderer itself fails.
 */
export async function* renderPdfPages(bytes: Uint8Array, pages: readonly number[], options: RenderOptions): AsyncGenerator<{ page: number; png: Uint8Array | null; problem?: string }> {
  if (pages.length === 0) return;
  options.signal?.throwIfAborted();
  const data = new Uint8Array(bytes);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { data, pages: [...pages], pdfjsUrl: pathToFileURL(require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href, pixels: options.pixels, maxScale: options.maxScale },
    transferList: [data.buffer],
  });
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const push = (message: WorkerMessage) => {
    queue.push(message);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (error) => push({ error: error.message }));
  worker.on('exit', (code) => {
    if (code !== 0) push({ error: `the page renderer stopped (exit code ${code})` });
    else push({ done: true });
  });
  const onAbort = () => {
    failure = options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted');
    void worker.terminate();
    wake?.();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (failure) throw failure;
      const message = queue.shift();
      if (!message) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      if ('error' in message) throw new DocumentParseError('PARSE_FAILED', `The PDF's scanned pages could not be rendered for OCR (${message.error.slice(0, 160)})`);
      if ('done' in message) return;
      yield message;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
