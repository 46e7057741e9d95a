import { useState } from 'react';
import type { SamplingRequest } from '../../../shared/ipc/routes/mcp';
import { useAppStore } from '../store/store-context';
import { Dialog } from './common/dialog';
import { useAnsweringModels } from './pages/mcp-settings-panel';

function SamplingForm({ request, waiting }: { request: SamplingRequest; waiting: number }) {
  const answerSampling = useAppStore((s) => s.answerSampling);
  const models = useAnsweringModels();
  const [modelId, setModelId] = useState(request.modelId ?? models[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const answer = (decision: 'approve' | 'deny') => {
    setBusy(true);
    void answerSampling(request.requestId, decision, decision === 'approve' && modelId ? modelId : undefined);
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (modelId) answer('approve');
      }}
    >
      <div className="dialog__body form">
        <p className="field__hint">
          The server <strong>{request.server}</strong> asks a model to answer these messages (up to {request.maxTokens} tokens). Nothing is sent
          unless you approve.
          {waiting > 1 && ` ${waiting - 1} more request${waiting > 2 ? 's' : ''} waiting.`}
        </p>
        {request.systemPrompt && (
          <div className="sampling__message">
            <span className="sampling__role">System</span>
            <p>{request.systemPrompt}</p>
          </div>
        )}
        <ol className="sampling__messages" aria-label="Messages to answer">
          {request.messages.map((message, index) => (
            <li key={index} className={`sampling__message sampling__message--${message.role}`}>
              <span className="sampling__role">{message.role === 'user' ? 'User' : 'Assistant'}</span>
              <p>{message.text}</p>
            </li>
          ))}
        </ol>
        <label className="field">
          <span className="field__label">Model</span>
          <select className="input" value={modelId} onChange={(event) => setModelId(event.target.value)}>
            {!modelId && (
              <option value="" disabled>
                No model available
              </option>
            )}
            {modelId && !models.some((m) => m.id === modelId) && <option value={modelId}>{modelId}</option>}
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
                {m.id === request.modelId ? ' (proposed)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button button--danger" disabled={busy} onClick={() => answer('deny')} autoFocus>
          Deny
        </button>
        <button type="submit" className="button button--primary" disabled={busy || !modelId}>
          Approve
        </button>
      </div>
    </form>
  );
}

/** A server's request to sample a model waits here for the user (oldest first); Escape does not answer it. */
export function SamplingDialog() {
  const requests = useAppStore((s) => s.samplingRequests);
  const request = requests[0];
  return (
    <Dialog open={request !== undefined} title={request ? `Sampling request from ${request.server}` : 'Sampling request'} onClose={() => undefined} className="dialog--wide">
      {request && <SamplingForm key={request.requestId} request={request} waiting={requests.length} />}
    </Dialog>
  );
}
