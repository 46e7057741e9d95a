import type { DocumentType } from '../../../../shared/ipc/routes/documents';
import type { ParsedDocument, ParsedSection } from '../types';

/** The text sections are joined with to form a document's whole text. */
export const SECTION_SEPARATOR = '\n\n';

export type SectionDraft = Omit<ParsedSection, 'charStart'>;

/**
 * A parsed document from its sections in reading order: trims each one,
 * drops those with no text, and sets every `charStart` to where the section
 * sits in the sections' texts joined with {@link SECTION_SEPARATOR}.
 */
export function buildDocument(type: DocumentType, drafts: readonly SectionDraft[]): ParsedDocument {
  const sections: ParsedSection[] = [];
  let offset = 0;
  for (const draft of drafts) {
    const text = draft.text.trim();
    if (!text) continue;
    if (sections.length > 0) offset += SECTION_SEPARATOR.length;
    const section: ParsedSection = { page: draft.page, headingPath: [...draft.headingPath], text, charStart: offset };
    if (draft.location) section.location = draft.location;
    if (draft.ocr) section.ocr = true;
    sections.push(section);
    offset += text.length;
  }
  return { type, sections };
}

/** The document's whole text: what every `charStart` and chunk offset points into. */
export function documentText(doc: ParsedDocument): string {
  return doc.sections.map((section) => section.text).join(SECTION_SEPARATOR);
}
