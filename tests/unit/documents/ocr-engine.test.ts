import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { OcrEngine, languageFile } from '../../../electron/core/documents/ocr/ocr-engine';
import { parseFile } from '../../../electron/core/documents/parsers/parse-file';
import { DocumentParseError } from '../../../electron/core/documents/types';

const IMAGE = join(import.meta.dirname, '../../fixtures/documents-formats/ocr/opening-hours.png');
const engines: OcrEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.dispose()));
});

describe('OcrEngine (tesseract.js with the language data from npm)', () => {
  test('English comes from @tesseract.js-data/eng on disk; a language that is not installed is refused with the package to add', async () => {
    expect(await languageFile('eng')).toMatch(/@tesseract\.js-data[\\/]eng[\\/]4\.0\.0_best_int[\\/]eng\.traineddata\.gz$/);
    const error = await languageFile('zzz').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as Error).message).toMatch(/"zzz" is not installed: add the npm package @tesseract\.js-data\/zzz/);
    await expect(languageFile('../etc')).rejects.toThrow(/not a Tesseract language code/);

    const engine = new OcrEngine({ languages: () => ['zzz'] });
    engines.push(engine);
    await expect(engine.recognize(await readFile(IMAGE))).rejects.toThrow(/@tesseract\.js-data\/zzz/);
  });

  test('reads an image, refuses work after dispose, and an image is UNSUPPORTED with OCR off', async () => {
    const engine = new OcrEngine({ languages: () => ['eng'], idleMs: 50 });
    engines.push(engine);
    const { text, confidence } = await engine.recognize(await readFile(IMAGE));
    expect(text).toMatch(/Harbour office opening hours/);
    expect(confidence).toBeGreaterThan(60);
    // Idle: the workers stop, and the next image starts them again.
    expect(engine.running).toBe(true);
    await vi.waitFor(() => expect(engine.running).toBe(false), { timeout: 10_000, interval: 20 });
    expect((await engine.recognize(await readFile(IMAGE))).text).toMatch(/Monday to Friday/);
    expect(engine.running).toBe(true);
    await engine.dispose();
    expect(engine.running).toBe(false);
    await expect(engine.recognize(await readFile(IMAGE))).rejects.toThrow(/OCR has stopped/);

    const off = await parseFile({ path: IMAGE, sizeBytes: 1, mtimeMs: 0, type: 'image' }, { ocr: null }).catch((e: unknown) => e);
    expect((off as DocumentParseError).code).toBe('UNSUPPORTED');
    expect((off as Error).message).toMatch(/turned off/);
  });

  test('a change of languages while an image is being read lets that image finish; the old workers end after it', async () => {
    let languages = ['eng'];
    const engine = new OcrEngine({ languages: () => languages, workers: 1 });
    engines.push(engine);
    const image = await readFile(IMAGE);
    await engine.recognize(image); // workers started
    const first = engine.recognize(image).then(
      (result) => result.text,
      (error: unknown) => `rejected: ${String(error)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 0)); // its job is in the scheduler
    languages = ['zzz'];
    await expect(engine.recognize(image)).rejects.toThrow(/@tesseract\.js-data\/zzz/);
    // Ending the old scheduler under the first image would leave it waiting forever.
    const settled = await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 30_000, 'never settled'))]);
    expect(settled).toMatch(/Harbour office opening hours/);
    await vi.waitFor(() => expect(engine.running).toBe(false), { timeout: 10_000, interval: 20 });
  });
});

describe('a scanned PDF whose OCR fails', () => {
  test('keeps its text pages; only a PDF with no text at all fails, saying why', async () => {
    const path = join(import.meta.dirname, '../../fixtures/documents-formats/ocr/scanned-memo.pdf');
    const broken = { recognize: async () => Promise.reject(new DocumentParseError('PARSE_FAILED', 'OCR could not start (no workers)')) };
    const doc = await parseFile({ path, sizeBytes: 1, mtimeMs: 0, type: 'pdf' }, { ocr: broken });
    expect(doc.sections.map((s) => [s.page, s.ocr ?? false])).toEqual([[1, false]]);
    expect(doc.sections[0]?.text).toContain('sailing knots');
  });
});
