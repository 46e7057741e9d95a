import { useEffect, useMemo, useRef, useState } from 'react';
import { describeError } from '../../client/tandem-client-error';
import { baseName, findSnippet, placeLabel } from '../../lib/document-location';
import type { DocumentView, ViewerTarget } from '../../store/documents-slice';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../common/dialog';
import { CloseIcon } from '../common/icons';

type Section = DocumentView['sections'][number];

interface Located {
  index: number;
  mark: { start: number; end: number } | null;
}

function samePlace(section: Section, target: ViewerTarget): boolean {
  if (target.page !== null) return section.page === target.page;
  if (target.location) return section.location === target.location;
  return section.headingPath.join('\u0000') === target.headingPath.join('\u0000');
}

/** The section to scroll to, and where the snippet sits in it. */
export function locateTarget(sections: readonly Section[], target: ViewerTarget): Located | null {
  if (sections.length === 0) return null;
  const snippet = target.snippet;
  const byOffset =
    target.charStart === null ? -1 : sections.reduce((best, section, index) => (section.charStart <= target.charStart! ? index : best), -1);
  const candidates = sections.map((section, index) => ({ section, index })).filter(({ section }) => samePlace(section, target));
  // Prefer the section that holds the offset, then the others at the same place, then anywhere.
  const ordered = [
    ...(byOffset >= 0 ? [{ section: sections[byOffset]!, index: byOffset }] : []),
    ...candidates,
    ...sections.map((section, index) => ({ section, index })),
  ];
  if (snippet) {
    for (const { section, index } of ordered) {
      const mark = findSnippet(section.text, snippet);
      if (mark) return { index, mark };
    }
  }
  const fallback = byOffset >= 0 ? byOffset : candidates[0]?.index;
  return fallback === undefined ? null : { index: fallback, mark: null };
}

function SectionText({ text, mark, markRef }: { text: string; mark: Located['mark']; markRef: React.Ref<HTMLElement> }) {
  if (!mark) return <p className="viewer__text">{text}</p>;
  return (
    <p className="viewer__text">
      {text.slice(0, mark.start)}
      <mark ref={markRef} className="viewer__mark">
        {text.slice(mark.start, mark.end)}
      </mark>
      {text.slice(mark.end)}
    </p>
  );
}

function ViewerBody({ target, onClose }: { target: ViewerTarget; onClose: () => void }) {
  const loadDocumentView = useAppStore((s) => s.loadDocumentView);
  const openInSystemViewer = useAppStore((s) => s.openInSystemViewer);
  const desktop = useAppStore((s) => s.appInfo?.mode === 'desktop');
  const [view, setView] = useState<DocumentView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const targetRef = useRef<HTMLElement>(null);
  const markRef = useRef<HTMLElement>(null);

  useEffect(() => {
    let live = true;
    loadDocumentView(target.collectionId, target.path).then(
      (loaded) => live && setView(loaded),
      (failure: unknown) => live && setError(describeError(failure)),
    );
    return () => {
      live = false;
    };
  }, [loadDocumentView, target.collectionId, target.path]);

  const located = useMemo(() => (view ? locateTarget(view.sections, target) : null), [view, target]);

  useEffect(() => {
    if (!view) return;
    (markRef.current ?? targetRef.current)?.scrollIntoView({ block: 'center' });
  }, [view, located]);

  const place = placeLabel(target);
  return (
    <div className="viewer">
      <div className="viewer__header">
        <div className="viewer__file">
          <h3 className="viewer__name">{baseName(target.path)}</h3>
          <code className="viewer__path" title={target.path}>
            {target.path}
          </code>
          {place && <span className="viewer__cited">Cited at {place}</span>}
        </div>
        <div className="viewer__actions">
          {desktop && (
            <button type="button" className="button button--small" onClick={() => void openInSystemViewer(target)}>
              Open in system viewer
            </button>
          )}
          <button type="button" className="icon-button" title="Close (Esc)" onClick={onClose}>
            <CloseIcon />
            <span className="sr-only">Close viewer</span>
          </button>
        </div>
      </div>
      <div className="viewer__scroll" tabIndex={0} role="region" aria-label={`Text of ${baseName(target.path)}`}>
        {error && (
          <p className="form__error" role="alert">
            Could not open the file: {error}
          </p>
        )}
        {!view && !error && (
          <p className="muted" role="status">
            Loading…
          </p>
        )}
        {view && view.sections.length === 0 && <p className="muted">The file has no text.</p>}
        {view?.sections.map((section, index) => {
          const label = placeLabel(section);
          const cited = located?.index === index;
          return (
            <section
              key={`${section.charStart}-${index}`}
              ref={cited ? targetRef : undefined}
              className={`viewer__section${cited ? ' is-cited' : ''}`}
              aria-label={label ? label.charAt(0).toUpperCase() + label.slice(1) : `Section ${index + 1}`}
              aria-current={cited ? 'location' : undefined}
            >
              {label && <h4 className="viewer__place">{label.charAt(0).toUpperCase() + label.slice(1)}</h4>}
              <SectionText text={section.text} mark={cited ? (located?.mark ?? null) : null} markRef={markRef} />
            </section>
          );
        })}
      </div>
    </div>
  );
}

/** The in-app viewer: the file's parsed text by page or heading, scrolled to the cited place with the snippet marked. Esc closes it. */
export function DocumentViewer() {
  const target = useAppStore((s) => s.viewer);
  const closeViewer = useAppStore((s) => s.closeViewer);
  return (
    <Dialog open={target !== null} title="Document viewer" onClose={closeViewer} className="dialog--viewer">
      {target && (
        <ViewerBody
          key={`${target.collectionId}|${target.path}|${target.page}|${target.charStart}|${target.snippet}`}
          target={target}
          onClose={closeViewer}
        />
      )}
    </Dialog>
  );
}
