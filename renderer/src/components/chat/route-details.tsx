import { useId, useState } from 'react';
import type { RouteCandidate, RouteDecision } from '../../../../shared/ipc/routes/routing';
import { formatCandidateCost, formatMs, formatQuality, formatRate } from '../../lib/route-format';
import { RouteIcon } from '../common/icons';

function candidateStatus(candidate: RouteCandidate, chosen: string | null, answered: string | null): string {
  if (candidate.excluded) return `Excluded: ${candidate.excluded.reason}`;
  if (candidate.modelId === answered && answered !== chosen) return 'Answered (fallback)';
  if (candidate.modelId === chosen) return answered === chosen ? 'Chosen' : 'Chosen, failed';
  return 'Eligible';
}

/** The ranked candidates of one decision: eligible best first, then the excluded ones with why. */
export function CandidateTable({ decision, answeredModelId }: { decision: RouteDecision; answeredModelId: string | null }) {
  return (
    <div className="table-scroll">
      <table className="table table--compact route-table">
        <caption className="sr-only">Models Auto considered, best first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Model</th>
            <th scope="col" title="Expected quality for this prompt">
              Quality
            </th>
            <th scope="col" title="Estimated cost of this request">
              Cost
            </th>
            <th scope="col" title="Expected time to the first token">
              First token
            </th>
            <th scope="col">Speed</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {decision.candidates.map((candidate, index) => {
            const status = candidateStatus(candidate, decision.chosenModelId, answeredModelId);
            return (
              <tr key={`${index}:${candidate.modelId}`} className={candidate.excluded ? 'route-table__excluded' : candidate.modelId === answeredModelId ? 'route-table__chosen' : undefined}>
                <td>{candidate.excluded ? '–' : index + 1}</td>
                <th scope="row" className="route-table__model">
                  {candidate.modelId}
                  <span className="route-table__kind">{candidate.kind === 'local' ? 'on this computer' : (candidate.provider ?? 'cloud')}</span>
                </th>
                <td title={`${candidate.qualitySamples} outcome${candidate.qualitySamples === 1 ? '' : 's'} behind this`}>{formatQuality(candidate.predictedQuality)}</td>
                <td>{formatCandidateCost(candidate)}</td>
                <td>{formatMs(candidate.expectedTtftMs)}</td>
                <td>{formatRate(candidate.expectedTokensPerSec)}</td>
                <td className="route-table__status">{status}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "Why this model?": Auto's one-sentence reason and every candidate it weighed, behind a disclosure button. */
export function RouteDetails({ decision, answeredModelId }: { decision: RouteDecision; answeredModelId: string | null }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const { features } = decision;
  return (
    <div className="route-details">
      <button
        type="button"
        className="chip-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <RouteIcon />
        Why this model?
      </button>
      {open && (
        <div id={panelId} className="route-details__panel" role="region" aria-label="Why this model">
          <p className="route-details__reason">{decision.reason}</p>
          <p className="route-details__facts">
            Priority <strong>{decision.priority}</strong>
            {decision.rule && (
              <>
                {' '}
                · pinned rule <strong>{decision.rule}</strong>
              </>
            )}{' '}
            · {features.promptTokens} prompt tokens
            {features.localOnly && ' · must stay on this computer'}
            {features.looksLikeCode && ' · looks like code'}
            {features.needsTools && ' · needs tools'}
            {decision.similarity === 'embeddings' && ' · past prompts compared by embeddings'}
            {decision.similarity === 'lexical' && ' · past prompts compared by words'}
            {decision.similarity === 'none' && ' · no outcomes yet: priors'} · decided in {formatMs(decision.decisionMs)}
          </p>
          <CandidateTable decision={decision} answeredModelId={answeredModelId} />
        </div>
      )}
    </div>
  );
}
