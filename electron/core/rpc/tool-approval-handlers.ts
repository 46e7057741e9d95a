import type { ApprovalBroker } from '../mcp/approval-broker';
import type { SamplingService } from '../mcp/sampling-service';
import type { Handlers } from './handlers';

type ToolApprovalRoute = 'chat.approveTool' | 'mcp.answerSampling' | 'mcp.pendingSampling';

export interface ToolApprovalHandlerDeps {
  approvals: ApprovalBroker;
  sampling: SamplingService;
}

/**
 * The user's answers to tool approval cards and to servers' sampling
 * requests. An approval is only taken from the client whose stream asked.
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
  };
}
