import { useMemo } from 'react';
import { queryTerms, splitByTerms } from '../../lib/document-location';

/** Text with the query's words marked. */
export function HighlightedText({ text, query }: { text: string; query: string }) {
  const runs = useMemo(() => splitByTerms(text, queryTerms(query)), [text, query]);
  return (
    <>
      {runs.map((run, index) => (run.match ? <mark key={index}>{run.text}</mark> : <span key={index}>{run.text}</span>))}
    </>
  );
}
