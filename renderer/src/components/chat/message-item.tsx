import { memo } from 'react';
import type { ChatMessage } from '../../../../shared/ipc/domain';
import type { RetryPart } from '../../../../shared/ipc/stream-parts';
import { formatCost, formatCount } from '../../lib/format';
import { SparkIcon } from '../common/icons';
import { CitationList } from './citation-list';
import { CopyButton } from './copy-button';
import { MessageMarkdown } from './message-markdown';
import { MessageStatusBadge } from './message-status-badge';
import { RetryNotice } from './retry-notice';
import { ToolCallList } from './tool-call-card';
import { answeringModelId, type LiveToolCall, type QueuedState } from '../../store/stream-reducer';
import { UseAnotherModel, VoteButtons } from './message-actions';
import { RouteDetails } from './route-details';
import { StepsPanel } from './steps-panel';
import { FallbackNotices, QueuedNotice } from './route-notices';

interface MessageItemProps {
  message: ChatMessage;
  /** 1-based position in the chat, part of the accessible name. */
  position: number;
  modelName: string | null;
  /** Reasoning text of a running answer. */
  reasoning: string;
  /** The retry the backend is waiting on before the first words of a running answer. */
  retry?: RetryPart | null;
  /** Tool calls of a running answer (saved ones come with the message). */
  tools?: LiveToolCall[] | null;
  /** Where a running answer waits in its provider's queue. */
  queued?: QueuedState | null;
}

function TypingDots() {
  return (
    <span className="typing" role="img" aria-label="Waiting for the first words">
      <span />
      <span />
      <span />
    </span>
  );
}

function MessageItemView({ message, position, modelName, reasoning, retry = null, tools = null, queued = null }: MessageItemProps) {
  const { role, text, status, usage, error, route } = message;
  const isUser = role === 'user';
  // A tool waiting for approval or still running shows its own card; no typing dots beside it.
  const toolBusy = tools?.some((t) => t.result === null) ?? false;
  const author = isUser ? 'You' : role === 'system' ? 'System' : (modelName ?? 'Assistant');

  return (
    <article className={`message message--${role} message--${status}`} aria-label={`${role} message ${position}`} aria-busy={status === 'streaming'}>
      {!isUser && (
        <div className="message__avatar" aria-hidden="true">
          <SparkIcon />
        </div>
      )}
      <div className="message__main">
        <div className="message__meta">
          <span className="message__author">{author}</span>
          {route && (
            <span className="badge badge--auto" title={`Auto picked this model (priority: ${route.priority})`}>
              Auto
            </span>
          )}
          {message.cached && (
            <span className="badge badge--cached" title="Replayed from the response cache: it cost nothing">
              cached
            </span>
          )}
          <MessageStatusBadge status={status} />
        </div>
        {message.fallbacks && message.fallbacks.length > 0 && <FallbackNotices fallbacks={message.fallbacks} />}
        {reasoning && (
          <details className="message__reasoning">
            <summary>Reasoning</summary>
            <p>{reasoning}</p>
          </details>
        )}
        {queued && status === 'streaming' && !text && !retry && <QueuedNotice queued={queued} />}
        {retry && status === 'streaming' && !text && <RetryNotice key={retry.attempt} retry={retry} />}
        {message.contextTrimmed && message.contextTrimmed.droppedMessages > 0 && (
          <p className="message__trimmed" role="note" title={`${formatCount(message.contextTrimmed.droppedTokens)} tokens left out of the prompt`}>
            Earlier messages were left out to fit the context: {message.contextTrimmed.droppedMessages} dropped
          </p>
        )}
        {!isUser && <StepsPanel message={message} />}
        <ToolCallList live={tools} saved={message.toolCalls} />
        <div className="message__body">
          {isUser ? (
            <p className="message__plain">{text}</p>
          ) : text ? (
            <MessageMarkdown text={text} citations={message.citations} />
          ) : status === 'streaming' ? (
            toolBusy ? null : <TypingDots />
          ) : status !== 'error' ? (
            <p className="message__empty">No text.</p>
          ) : null}
        </div>
        {!isUser && message.citations && message.citations.length > 0 && <CitationList citations={message.citations} />}
        {status === 'error' && (
          <div className="message__error" role="alert">
            <strong>{error ? errorTitle(error.code) : 'The answer failed.'}</strong>
            {error && (
              <span>
                <code className="message__error-code">{error.code}</code> {error.message}
              </span>
            )}
          </div>
        )}
        {(usage || (!isUser && status !== 'streaming')) && (
          <div className="message__footer">
            {usage && (
              <span className="message__usage">
                {formatCount(usage.inputTokens)} in · {formatCount(usage.outputTokens)} out tokens
                {usage.costUsd !== undefined && <> · <span title="What this answer cost">{formatCost(usage.costUsd)}</span></>}
              </span>
            )}
            {message.finishReason === 'length' && status === 'complete' && (
              <span className="message__usage" title="Raise “Max tokens per answer” in Settings for longer answers">
                Reached the token limit
              </span>
            )}
            {!isUser && status !== 'streaming' && (
              <div className="message__actions">
                {route && <UseAnotherModel messageId={message.id} decision={route} answeredModelId={answeringModelId(message)} />}
                {(text || status !== 'error') && <VoteButtons messageId={message.id} vote={message.vote ?? null} />}
                {text && <CopyButton text={text} label="Copy answer" className="message__copy" />}
              </div>
            )}
          </div>
        )}
        {!isUser && route && status !== 'streaming' && <RouteDetails decision={route} answeredModelId={answeringModelId(message)} />}
      </div>
    </article>
  );
}

function errorTitle(code: string): string {
  switch (code) {
    case 'MODEL_LOAD_FAILED':
      return 'The model could not be loaded.';
    case 'MODEL_NOT_FOUND':
      return 'The model file was not found.';
    case 'BUDGET_EXCEEDED':
      return 'Budget exceeded: this request could break a spending cap, so it was not sent to a paid model.';
    case 'LOCAL_ONLY':
      return 'This content must stay on this computer: it was not sent to a cloud model.';
    case 'NO_MODEL_AVAILABLE':
      return 'No model can take this request.';
    case 'GENERATION_FAILED':
      return 'The model failed while answering.';
    case 'RATE_LIMITED':
      return 'The provider is rate limiting requests; Tandem retried and gave up. Try again in a moment.';
    case 'AUTH':
      return 'The provider refused the API key.';
    case 'NETWORK':
    case 'TIMEOUT':
    case 'SERVER':
      return 'The provider could not be reached or failed.';
    default:
      return 'The answer failed.';
  }
}

/** Finished messages keep their object identity, so only the growing one re-renders. */
export const MessageItem = memo(MessageItemView, (before, after) => {
  if (
    before.position !== after.position ||
    before.modelName !== after.modelName ||
    before.reasoning !== after.reasoning ||
    (before.retry ?? null) !== (after.retry ?? null) ||
    (before.tools ?? null) !== (after.tools ?? null) ||
    (before.queued ?? null) !== (after.queued ?? null)
  ) {
    return false;
  }
  const a = before.message;
  const b = after.message;
  return (
    a === b ||
    (a.id === b.id &&
      a.text === b.text &&
      a.status === b.status &&
      a.finishReason === b.finishReason &&
      a.usage?.inputTokens === b.usage?.inputTokens &&
      a.usage?.outputTokens === b.usage?.outputTokens &&
      a.usage?.costUsd === b.usage?.costUsd &&
      a.error?.code === b.error?.code &&
      a.error?.message === b.error?.message &&
      a.toolCalls === b.toolCalls &&
      a.contextTrimmed?.droppedMessages === b.contextTrimmed?.droppedMessages &&
      // One array per answer (set once by its `citations` part), so identity says whether it changed.
      a.citations === b.citations &&
      a.route === b.route &&
      a.fallbacks === b.fallbacks &&
      a.cached === b.cached &&
      a.vote === b.vote &&
      // Strategy steps: a new array whenever a step part arrives.
      a.steps === b.steps &&
      a.condensed === b.condensed)
  );
});
