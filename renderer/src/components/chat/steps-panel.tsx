import type { ChatMessage } from '../../../../shared/ipc/domain';
import type { Condensed, StepRecord } from '../../../../shared/ipc/stream-parts';
import { formatCost, formatCount } from '../../lib/format';
import { formatMs } from '../../lib/route-format';
import { useModelName } from '../compare/model-options';
import { MessageMarkdown } from './message-markdown';
import { StepsDiff } from './steps-diff';

/** A step that has started and not ended (its `step-end` brings the stats and a finish reason). */
function isRunning(step: StepRecord, message: ChatMessage): boolean {
  return message.status === 'streaming' && step.stats.finishReason === null && step.error === null;
}

function stepFacts(step: StepRecord, running: boolean): string {
  if (running) return 'running…';
  const cost = step.stats.costUsd === null ? 'cost unknown' : formatCost(step.stats.costUsd);
  return `${formatMs(step.stats.durationMs)} · ${cost}`;
}

function formatScore(score: number): string {
  return `${Math.round(score * 100)}%`;
}

function CondensedNote({ condensed }: { condensed: Condensed }) {
  return (
    <p className="steps__condensed" role="note">
      Context: {formatCount(condensed.retrievedTokens)} tokens retrieved → {formatCount(condensed.sentTokens)} sent
      {condensed.localOnlyWithheld > 0 && (
        <>
          {' '}
          · {condensed.localOnlyWithheld} local-only source{condensed.localOnlyWithheld === 1 ? '' : 's'} kept local
        </>
      )}
    </p>
  );
}

/** What a finished step wrote, when the answer does not already show it. */
function StepText({ step, summary }: { step: StepRecord; summary: string }) {
  if (!step.text) return null;
  return (
    <details className="steps__text">
      <summary>{summary}</summary>
      {step.role === 'judge' ? <pre className="steps__judge">{step.text}</pre> : <MessageMarkdown text={step.text} />}
    </details>
  );
}

function StepItem({ step, message, modelName }: { step: StepRecord; message: ChatMessage; modelName: string }) {
  const running = isRunning(step, message);
  const candidate = step.role === 'candidate';
  return (
    <li className={`steps__step steps__step--${step.role}${running ? ' steps__step--running' : ''}${step.chosen ? ' steps__step--chosen' : ''}`}>
      <div className="steps__head">
        <span className="steps__label">{step.label}</span>
        {/* "Candidate 2 (model)" already names it. */}
        {!step.label.includes(modelName) && !step.label.includes(step.modelId) && <span className="steps__model">{modelName}</span>}
        {candidate && step.score !== undefined && <span className="badge">score {formatScore(step.score)}</span>}
        {step.chosen && <span className="badge badge--winner">Chosen</span>}
        <span className="steps__facts">{stepFacts(step, running)}</span>
      </div>
      {candidate && step.reason && <p className="steps__reason">{step.reason}</p>}
      {step.error && (
        <p className="steps__error" role="alert">
          <code className="message__error-code">{step.error.code}</code> {step.error.message}
        </p>
      )}
      {running && step.text ? (
        <div className="steps__live" aria-live="off">
          {step.text}
        </div>
      ) : step.role === 'draft' ? (
        <StepText step={step} summary="Draft" />
      ) : step.role === 'condense' ? (
        <StepText step={step} summary="Condensed context" />
      ) : step.role === 'judge' ? (
        <StepText step={step} summary="Judge's scores" />
      ) : candidate && !step.chosen ? (
        <StepText step={step} summary={`Answer of ${step.label}`} />
      ) : null}
    </li>
  );
}

/**
 * A strategy answer's steps above its text: each with its label, model, time
 * and cost; the draft (collapsible) and what the refiner changed; the
 * condensed context's tokens; best-of-N candidates with their judge scores.
 */
export function StepsPanel({ message }: { message: ChatMessage }) {
  const modelName = useModelName();
  const steps = message.steps ?? [];
  if (steps.length === 0 && !message.condensed) return null;
  const draft = steps.find((s) => s.role === 'draft');
  const refined = steps.some((s) => s.role === 'refine');
  const showDiff = draft !== undefined && refined && draft.text !== '' && message.text !== '' && message.status !== 'streaming';
  return (
    <section className="steps" aria-label="Steps">
      <h3 className="steps__title">Steps</h3>
      {message.condensed && <CondensedNote condensed={message.condensed} />}
      {steps.length > 0 && (
        <ol className="steps__list">
          {steps.map((step) => (
            <StepItem key={step.step} step={step} message={message} modelName={modelName(step.modelId)} />
          ))}
        </ol>
      )}
      {showDiff && (
        <details className="steps__changes">
          <summary>Changes</summary>
          <StepsDiff before={draft.text} after={message.text} />
        </details>
      )}
    </section>
  );
}
