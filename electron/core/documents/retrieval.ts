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
  if (hits.length === 0) return null;
  const citations = hits.map((hit, i) => toCitation(hit, i + 1));
  const sources = hits.map((hit, i) => `[${i + 1}] ${sourceLabel(hit)} — ${quote(hit.text)}`);
  const systemText = [
    'Answer using the numbered sources below when they are relevant. Cite a source as [n] right after the statement it supports; do not cite sources you did not use. If the sources do not contain the answer, say so.',
    '',
    'Sources:',
    ...sources,
  ].join('\n');
  return { citations, systemText };
}

export function sourceLabel(hit: Pick<SearchHit, 'path' | 'page' | 'headingPath'>): string {
  const parts = [basename(hit.path)];
  if (hit.page) parts.push(`p.${hit.page}`);
  else if (hit.headingPath.length > 0) parts.push(`§ ${hit.headingPath.join(' › ')}`);
  return parts.join(' ');
}

function quote(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= SOURCE_CHARS ? clean : `${clean.slice(0, SOURCE_CHARS)}…`;
}

function toCitation(hit: SearchHit, n: number): Citation {
  return { n, chunkId: hit.chunkId, collectionId: hit.collectionId, path: hit.path, page: hit.page, headingPath: hit.headingPath, snippet: hit.snippet, localOnly: hit.localOnly };
}
