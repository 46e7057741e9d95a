import { memo, useEffect, useRef } from 'react';
import type { ToolCallRecord } from '../../../../shared/ipc/stream-parts';
import { formatJson } from '../../lib/mcp-form';
import { useAppStore } from '../../store/store-context';
import type { LiveToolCall } from '../../store/stream-reducer';

const DECISION_LABEL = {
  'allow-once': 'Allowed once',
  'always-allow': 'Always allowed',
  deny: 'Denied',
  expired: 'No longer waiting',
} as const;

function ArgsBlock({ args }: { args: unknown }) {
  if (args === undefined) return null;
  return <pre className="tool-call__args">{formatJson(args)}</pre>;
}

function summaryOf(record: ToolCallRecord): string {
  switch (record.status) {
    case 'done':
      return `Result from ${record.toolName}`;
    case 'denied':
      return `Denied: ${record.toolName} was not called`;
    case 'timeout':
      return `Error from ${record.toolName}: timed out`;
    case 'cancelled':
      return `Error from ${record.toolName}: cancelled`;
    default:
      return `Error from ${record.toolName}`;
  }
}

/**
 * Approval cards that already took focus once: a card scrolled out of the
 * (virtual) list and back in mounts again, and must not take it a second time.
 */
const focusedApprovals = new Set<string>();
const MAX_REMEMBERED = 200;

/** A finished call: collapsed to one line, opened for the arguments and the whole result. */
function ToolResult({ record, args }: { record: ToolCallRecord; args: unknown }) {
  const failed = record.status !== 'done';
  return (
    <details className={`tool-call tool-call--result${failed ? ' is-error' : ''}`}>
      <summary className="tool-call__summary">
        <span>{summaryOf(record)}</span>
        <span className="tool-call__meta">
          {record.truncatedForModel && 'model got a truncated copy · '}
          {record.server} · {Math.round(record.durationMs)} ms
        </span>
      </summary>
      <div className="tool-call__body">
        {args !== undefined && (
          <>
            <p className="tool-call__label">Arguments</p>
            <ArgsBlock args={args} />
          </>
        )}
        {record.status !== 'denied' && (
          <>
            <p className="tool-call__label">{failed ? 'Error' : 'Result'}</p>
            <pre className="tool-call__output">{record.result || '(no text)'}</pre>
          </>
        )}
        {record.truncatedForModel && (
          <p className="tool-call__note" role="note">
            The result was long: the model got a truncated copy (you see it whole).
          </p>
        )}
      </div>
    </details>
  );
}

function ProgressBar({ tool }: { tool: LiveToolCall }) {
  const progress = tool.progress;
  if (!progress) return null;
  const hasTotal = progress.total !== undefined && progress.total > 0;
  return (
    <div className="tool-call__progress">
      <progress
        className="tool-call__bar"
        aria-label={`Progress of ${tool.toolName}`}
        {...(hasTotal ? { value: progress.progress, max: progress.total } : {})}
      />
      <span className="tool-call__meta">
        {hasTotal ? `${progress.progress} of ${progress.total}` : String(progress.progress)}
        {progress.message && ` · ${progress.message}`}
      </span>
    </div>
  );
}

/**
 * A tool call still going: the approval card while it waits for the user
 * (focused when it appears, so Tab reaches its buttons at once), then its
 * progress while the tool runs.
 */
function PendingToolCall({ tool }: { tool: LiveToolCall }) {
  const approveTool = useAppStore((s) => s.approveTool);
  const cardRef = useRef<HTMLDivElement>(null);
  const waiting = tool.approval?.state === 'pending';
  const answered = tool.approval && tool.approval.state !== 'pending' && tool.approval.state !== 'sending' ? tool.approval.state : null;

  const approvalId = tool.approval?.approvalId;
  useEffect(() => {
    if (!waiting || !approvalId || focusedApprovals.has(approvalId)) return;
    if (focusedApprovals.size >= MAX_REMEMBERED) focusedApprovals.clear();
    focusedApprovals.add(approvalId);
    cardRef.current?.focus();
  }, [waiting, approvalId]);

  const approval = tool.approval;
  const asking = approval !== null && (approval.state === 'pending' || approval.state === 'sending');
  return (
    <div
      ref={cardRef}
      className={`tool-call tool-call--live${waiting ? ' is-waiting' : ''}`}
      role="group"
      aria-label={approval ? 'Tool call approval' : `Tool call ${tool.toolName}`}
      tabIndex={-1}
    >
      <div className="tool-call__head">
        <span>
          {asking ? 'Allow' : answered === 'deny' || answered === 'expired' ? 'Not calling' : 'Running'}{' '}
          <code className="tool-call__name">{tool.toolName}</code>
          {tool.server && (
            <>
              {' '}
              from <strong>{tool.server}</strong>
            </>
          )}
          {asking ? '?' : answered === 'deny' || answered === 'expired' ? '' : '…'}
        </span>
        {answered && <span className={`badge${answered === 'deny' || answered === 'expired' ? ' badge--error' : ''}`}>{DECISION_LABEL[answered]}</span>}
      </div>
      <p className="tool-call__label">Arguments</p>
      <ArgsBlock args={tool.args} />
      <ProgressBar tool={tool} />
      {approval && (approval.state === 'pending' || approval.state === 'sending') && (
        <div className="tool-call__actions">
          <button type="button" className="button button--primary button--small" disabled={!waiting} onClick={() => void approveTool(approval.approvalId, 'allow-once')}>
            Allow once
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={!waiting}
            title={`Allow ${tool.toolName} without asking from now on`}
            onClick={() => void approveTool(approval.approvalId, 'always-allow')}
          >
            Always allow
          </button>
          <button type="button" className="button button--danger button--small" disabled={!waiting} onClick={() => void approveTool(approval.approvalId, 'deny')}>
            Deny
          </button>
        </div>
      )}
    </div>
  );
}

/** A message's tool calls in order: live ones while the answer runs, saved records afterwards. */
export const ToolCallList = memo(function ToolCallList({ live, saved }: { live: LiveToolCall[] | null; saved: ToolCallRecord[] | undefined }) {
  if (live && live.length > 0) {
    return (
      <div className="tool-calls">
        {live.map((tool) =>
          tool.result ? <ToolResult key={tool.toolCallId} record={tool.result} args={tool.args} /> : <PendingToolCall key={tool.toolCallId} tool={tool} />,
        )}
      </div>
    );
  }
  if (!saved || saved.length === 0) return null;
  return (
    <div className="tool-calls">
      {saved.map((record) => (
        <ToolResult key={record.toolCallId} record={record} args={record.args} />
      ))}
    </div>
  );
});
