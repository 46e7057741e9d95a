import { memo } from 'react';
import type { Citation } from '../../../../shared/ipc/routes/documents';
import { baseName, describeLocation, placeLabel } from '../../lib/document-location';
import { useAppStore } from '../../store/store-context';
import { citationTarget } from './citation-markers';

/** The numbered sources under a grounded answer: file, page or heading, and the quoted text. Each opens the viewer there. */
export const CitationList = memo(function CitationList({ citations }: { citations: readonly Citation[] }) {
  const openViewer = useAppStore((s) => s.openViewer);
  return (
    <section className="sources" aria-label="Sources">
      <h4 className="sources__title">Sources</h4>
      <ol className="sources__list">
        {citations.map((citation) => {
          const place = placeLabel(citation);
          return (
            <li key={citation.n} value={citation.n} className="sources__item">
              <button
                type="button"
                className="sources__open"
                aria-label={`Source ${citation.n}: ${describeLocation(citation)}`}
                title={citation.path}
                onClick={() => openViewer(citationTarget(citation))}
              >
                <span className="sources__n" aria-hidden="true">
                  {citation.n}
                </span>
                <span className="sources__file">{baseName(citation.path)}</span>
                {place && <span className="sources__place">{place}</span>}
                {citation.localOnly && <span className="badge badge--local">local only</span>}
              </button>
              <blockquote className="sources__snippet">{citation.snippet}</blockquote>
            </li>
          );
        })}
      </ol>
    </section>
  );
});
