import { useId, useState } from 'react';
import type { SearchHit, SearchMode } from '../../../../shared/ipc/routes/documents';
import { baseName, placeLabel } from '../../lib/document-location';
import { useAppStore } from '../../store/store-context';
import { SearchIcon } from '../common/icons';
import { HighlightedText } from './highlighted-text';

const MODES: { value: SearchMode; label: string }[] = [
  { value: 'hybrid', label: 'Hybrid' },
  { value: 'keyword', label: 'Keyword' },
  { value: 'semantic', label: 'Semantic' },
];

function SearchResult({ hit, query, collectionName }: { hit: SearchHit; query: string; collectionName: string | undefined }) {
  const openViewer = useAppStore((s) => s.openViewer);
  const place = placeLabel(hit);
  const name = baseName(hit.path);
  return (
    <li className="search-hit">
      <button
        type="button"
        className="search-hit__open"
        aria-label={`Open ${name}${place ? `, ${place}` : ''}`}
        onClick={() =>
          openViewer({
            collectionId: hit.collectionId,
            path: hit.path,
            page: hit.page,
            headingPath: hit.headingPath,
            location: hit.location ?? null,
            ocr: hit.ocr ?? false,
            snippet: hit.snippet,
            charStart: hit.charStart,
          })
        }
      >
        <span className="search-hit__file">{name}</span>
        {place && <span className="search-hit__place">{place}</span>}
        <span className="search-hit__score" title="Relevance score">
          {hit.score.toFixed(3)}
        </span>
      </button>
      <p className="search-hit__snippet">
        <HighlightedText text={hit.snippet} query={query} />
      </p>
      <div className="search-hit__meta muted">
        <code title={hit.path}>{hit.path}</code>
        {collectionName && <span>in {collectionName}</span>}
        {hit.localOnly && <span className="badge badge--local">local only</span>}
      </div>
    </li>
  );
}

/** Searches the collections by keyword, meaning, or both; a result opens the viewer at its place. */
export function DocumentSearch() {
  const collections = useAppStore((s) => s.collections);
  const search = useAppStore((s) => s.documentSearch);
  const defaultMode = useAppStore((s) => s.settings?.documents.searchMode ?? 'hybrid');
  const searchDocuments = useAppStore((s) => s.searchDocuments);
  const [query, setQuery] = useState(search.query);
  const [mode, setMode] = useState<SearchMode | null>(search.status === 'idle' ? null : search.mode);
  const [scope, setScope] = useState('all');
  const titleId = useId();
  const chosenMode = mode ?? defaultMode;
  const names = new Map(collections.map((c) => [c.id, c.name]));
  const scopeIds = scope === 'all' ? collections.map((c) => c.id) : [scope];
  const canSearch = query.trim().length > 0 && scopeIds.length > 0;

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        Search
      </h2>
      <form
        role="search"
        className="doc-search"
        onSubmit={(event) => {
          event.preventDefault();
          if (canSearch) void searchDocuments({ query: query.trim(), mode: chosenMode, collectionIds: scopeIds.slice(0, 32) });
        }}
      >
        <div className="doc-search__box">
          <SearchIcon />
          <input
            type="search"
            className="doc-search__input"
            aria-label="Search documents"
            placeholder={collections.length ? 'Search your documents…' : 'Add a folder first'}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
        <select className="input doc-search__select" aria-label="Search mode" value={chosenMode} onChange={(event) => setMode(event.target.value as SearchMode)}>
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
        </select>
        {collections.length > 1 && (
          <select className="input doc-search__select" aria-label="Collection to search" value={scope} onChange={(event) => setScope(event.target.value)}>
              <option value="all">All collections</option>
              {collections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        )}
        <button type="submit" className="button button--primary" disabled={!canSearch || search.status === 'loading'}>
          Search
        </button>
      </form>

      {search.notice && (
        <p className="notice notice--info doc-search__notice" role="status">
          {search.notice}
        </p>
      )}
      {search.status === 'error' && (
        <p className="form__error" role="alert">
          {search.error}
        </p>
      )}
      {search.status === 'loading' && <p className="muted" role="status">Searching…</p>}
      {search.status === 'ready' &&
        (search.hits.length === 0 ? (
          <p className="muted" role="status">
            Nothing found for “{search.query}”.
          </p>
        ) : (
          <>
            <p className="muted doc-search__summary" role="status">
              {search.hits.length} results · {search.mode} search
            </p>
            <ol className="search-hits" aria-label="Search results">
              {search.hits.map((hit) => (
                <SearchResult key={hit.chunkId} hit={hit} query={search.query} collectionName={names.get(hit.collectionId)} />
              ))}
            </ol>
          </>
        ))}
    </section>
  );
}
