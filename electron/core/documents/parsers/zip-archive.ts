import JSZip from 'jszip';
import { DocumentParseError } from '../types';
import { attrOf, findAll, parseXml, type XmlNode } from './xml-tree';

/**
 * A zip-based document (OOXML, ODF, EPUB) opened with JSZip: reads its parts
 * as text and XML, and turns a damaged archive or a missing part into a
 * CORRUPT {@link DocumentParseError} naming the format.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: JSZip,
    private readonly formatName: string,
  ) {}

  /** `formatName` is what the user calls the file ("PowerPoint file", "EPUB book"). */
  static async open(bytes: Uint8Array, formatName: string): Promise<ZipArchive> {
    try {
      return new ZipArchive(await JSZip.loadAsync(bytes, { checkCRC32: true }), formatName);
    } catch (error) {
      throw new DocumentParseError('CORRUPT', `The ${formatName} is damaged or not a zip archive (${shortMessage(error)})`);
    }
  }

  has(path: string): boolean {
    return this.zip.file(path) !== null;
  }

  /** Paths of the archive's files matching `pattern`. */
  list(pattern: RegExp): string[] {
    return Object.keys(this.zip.files).filter((name) => pattern.test(name) && !this.zip.files[name]?.dir);
  }

  /** The part's text; null when the part is absent and `required` is false. */
  async text(path: string, required: true): Promise<string>;
  async text(path: string, required?: false): Promise<string | null>;
  async text(path: string, required = false): Promise<string | null> {
    const entry = this.zip.file(path);
    if (!entry) {
      if (required) throw new DocumentParseError('CORRUPT', `The ${this.formatName} is damaged: it has no ${path}`);
      return null;
    }
    try {
      return await entry.async('string');
    } catch (error) {
      throw new DocumentParseError('CORRUPT', `The ${this.formatName} is damaged: ${path} cannot be read (${shortMessage(error)})`);
    }
  }

  async xml(path: string, required: true): Promise<XmlNode[]>;
  async xml(path: string, required?: false): Promise<XmlNode[] | null>;
  async xml(path: string, required = false): Promise<XmlNode[] | null> {
    const text = required ? await this.text(path, true) : await this.text(path);
    if (text === null) return null;
    try {
      return parseXml(text);
    } catch (error) {
      throw new DocumentParseError('CORRUPT', `The ${this.formatName} is damaged: ${path} is not valid XML (${shortMessage(error)})`);
    }
  }
}

/** Resolves a relationship or manifest target against the part that names it ("ppt/slides/slide1.xml" + "../notesSlides/n.xml"). */
export function resolvePartPath(fromPart: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = fromPart.split('/').slice(0, -1);
  for (const piece of decodeURIComponentSafe(target.split('#')[0] ?? '').split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.' && piece !== '') parts.push(piece);
  }
  return parts.join('/');
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // JSZip appends "is this a zip file ? If it is, see https://..." to some messages.
  return message.split('\n')[0]?.split(' : ')[0]?.slice(0, 160) ?? 'unknown error';
}

/** An OOXML part's relationships (`_rels/NAME.rels`): id → { target part path, type }. */
export async function relationships(archive: ZipArchive, partPath: string): Promise<Map<string, { target: string; type: string }>> {
  const slash = partPath.lastIndexOf('/');
  const relsPath = `${partPath.slice(0, slash + 1)}_rels/${partPath.slice(slash + 1)}.rels`;
  const nodes = await archive.xml(relsPath);
  const map = new Map<string, { target: string; type: string }>();
  if (!nodes) return map;
  for (const rel of findAll(nodes, 'Relationship')) {
    const id = attrOf(rel, 'Id');
    const target = attrOf(rel, 'Target');
    if (!id || !target || attrOf(rel, 'TargetMode') === 'External') continue;
    map.set(id, { target: resolvePartPath(partPath, target), type: attrOf(rel, 'Type') ?? '' });
  }
  return map;
}
