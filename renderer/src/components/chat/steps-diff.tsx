import { diffWordsWithSpace } from 'diff';
import { memo, useMemo } from 'react';
import { countChanges } from './steps-word-diff';

/**
 * A word diff of the draft against the final answer: insertions and deletions
 * highlighted, and named for screen readers ("added:", "removed:").
 */
export const StepsDiff = memo(function StepsDiff({ before, after }: { before: string; after: string }) {
  const changes = useMemo(() => diffWordsWithSpace(before, after), [before, after]);
  const { added, removed } = useMemo(() => countChanges(before, after), [before, after]);
  return (
    <div className="steps-diff">
      <p className="steps-diff__summary">
        {added === 0 && removed === 0 ? 'The refiner kept the draft as it was.' : `${added} word${added === 1 ? '' : 's'} added, ${removed} removed.`}
      </p>
      <p className="steps-diff__text">
        {changes.map((change, index) =>
          change.added ? (
            <ins key={index} className="steps-diff__ins">
              <span className="sr-only">[added: </span>
              {change.value}
              <span className="sr-only">]</span>
            </ins>
          ) : change.removed ? (
            <del key={index} className="steps-diff__del">
              <span className="sr-only">[removed: </span>
              {change.value}
              <span className="sr-only">]</span>
            </del>
          ) : (
            <span key={index}>{change.value}</span>
          ),
        )}
      </p>
    </div>
  );
});
