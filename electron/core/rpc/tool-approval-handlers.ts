import { CodedError } from '../../../shared/ipc/errors';
import type { ApprovalBroker } from '../mcp/approval-broker';
import type { ElicitationService } from '../mcp/elicitation-service';
import type { SamplingService } from '../mcp/sampling-service';
import type { Handlers } from './handlers';

type ToolApprovalRoute =
  | 'chat.approveTool'
  | 'mcp.answerSampling'
  | 'mcp.pendingSampling'
  | 'mcp.answerElicitation'
  | 'mcp.pendingElicitations';

export interface ToolApprovalHandlerDeps {
  approvals: ApprovalBroker;
  sampling: SamplingService;
  /** Servers' requests for input (issue 13); without it nothing waits and answers are `resolved: false`. */
  elicitation?: ElicitationService;
}

/**
 * The user's answers to tool approval cards and to servers' sampling and
 * elicitation requests. An approval is only taken from the client whose stream asked.
 */
export function createToolApprovalHandlers(deps: ToolApprovalHandlerDeps | null): Pick<Handlers, ToolApprovalRoute> {
  return {
    'chat.approveTool': ({ approvalId, decision }, { clientId }) => ({
      resolved: deps?.approvals.resolve(approvalId, decision, clientId) ?? false,
    }),
    'mcp.answerSampling': ({ requestId, decision, modelId }) => ({
      resolved:
        deps?.sampling.answer(requestId, decision === 'approve' ? { decision, ...(modelId ? { modelId } : {}) } : { decision }) ?? false,
    }),
    'mcp.pendingSampling': () => deps?.sampling.list() ?? [],
    // What a server asks the user is answered by the user: from the Tandem window, never by another program on the socket.
    'mcp.answerElicitation': ({ requestId, action, content }, { fromWindow }) => {
      if (fromWindow !== true) throw new CodedError('FORBIDDEN', 'Only the Tandem window can answer a server\'s request for input');
      return { resolved: deps?.elicitation?.answer(requestId, action, content) ?? false };
    },
    'mcp.pendingElicitations': () => deps?.elicitation?.list() ?? [],
  };
}
