import { basename } from 'node:path';
import type { Citation, SearchHit } from '../../../shared/ipc/routes/documents';
import type { SearchRequest } from './document-service';
import type { SearchOutcome } from './hybrid-search';

/** Longest quote of one source put into the prompt. */
const SOURCE_CHARS = 1200;

export interface RetrievedContext {
  citations: Citation[];
  /** Goes into the system prompt: the numbered sources and how to cite them. */
  systemText: string;
  /** The numbered sources alone, one `[n] label — quote` line each (what the condense strategy condenses). */
  sources: string[];
  /** Local-only chunks that ranked among the top K but were left out because the answer goes to a cloud model. */
  withheldLocalOnly: number;
}

const CITE_INSTRUCTION =
  'Answer using the numbered sources below when they are relevant. Cite a source as [n] right after the statement it supports; do not cite sources you did not use. If the sources do not contain the answer, say so.';

/** The system text for numbered sources (or a condensed text that keeps their [n] markers). */
export function sourcesSystemText(sources: string): string {
  return [CITE_INSTRUCTION, '', 'Sources:', sources].join('\n');
}

/**
 * Grounds a chat answer: searches the chat's collections with the user's
 * message (hybrid), and turns the hits into numbered sources the model is
 * told to cite as [n], plus the citations the chat shows and saves.
 */
export async function retrieveForChat(
  search: (request: SearchRequest) => Promise<SearchOutcome>,
  input: {
    collectionIds: readonly string[];
    query: string;
    topK: number;
    /** The answer comes from a cloud model: chunks of local-only sources never go into its prompt. */
    excludeLocalOnly?: boolean;
  },
): Promise<RetrievedContext | null> {
  const outcome = await search({ collectionIds: input.collectionIds, query: input.query, k: input.excludeLocalOnly ? Math.min(100, input.topK * 4) : input.topK, mode: 'hybrid' });
  const hits = (input.excludeLocalOnly ? outcome.hits.filter((h) => !h.localOnly) : outcome.hits).slice(0, input.topK);
  const withheldLocalOnly = input.excludeLocalOnly ? outcome.hits.slice(0, input.topK).filter((h) => h.localOnly).length : 0;
  // Only local-only chunks matched: no sources, but the count of what was withheld (the condense strategy shows it).
  if (hits.length === 0) return withheldLocalOnly > 0 ? { citations: [], systemText: '', sources: [], withheldLocalOnly } : null;
  const citations = hits.map((hit, i) => toCitation(hit, i + 1));
  const sources = hits.map((hit, i) => `[${i + 1}] ${sourceLabel(hit)} — ${quote(hit.text)}`);
  return { citations, systemText: sourcesSystemText(sources.join('\n')), sources, withheldLocalOnly };
}

export function sourceLabel(hit: Pick<SearchHit, 'path' | 'page' | 'headingPath' | 'location' | 'ocr'>): string {
  const parts = [basename(hit.path)];
  if (hit.page) parts.push(`p.${hit.page}`);
  else if (hit.location) parts.push(hit.location);
  else if (hit.headingPath.length > 0) parts.push(`§ ${hit.headingPath.join(' › ')}`);
  if (hit.ocr) parts.push('(OCR)');
  return parts.join(' ');
}

function quote(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= SOURCE_CHARS ? clean : `${clean.slice(0, SOURCE_CHARS)}…`;
}

function toCitation(hit: SearchHit, n: number): Citation {
  return {
    n,
    chunkId: hit.chunkId,
    collectionId: hit.collectionId,
    path: hit.path,
    page: hit.page,
    headingPath: hit.headingPath,
    ...(hit.location ? { location: hit.location } : {}),
    ...(hit.ocr ? { ocr: true } : {}),
    snippet: hit.snippet,
    localOnly: hit.localOnly,
  };
}
