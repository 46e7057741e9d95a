import type { RouteInput, RouteOutput } from '../../../shared/ipc/contract';
import type { Settings } from '../../../shared/ipc/domain';
import type { ElicitationContent } from '../../../shared/ipc/elicitation-form';
import type { ElicitationRequest, McpServerStatus, SamplingRequest, ToolApprovalPolicy } from '../../../shared/ipc/routes/mcp';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';
import type { ApprovalState } from './stream-reducer';

export type McpServerInput = RouteInput<'mcp.add'>;
export type McpImportResult = RouteOutput<'mcp.import'>;
export type ToolDecision = RouteInput<'chat.approveTool'>['decision'];

/** A resource attached to the next message (shown as a chip in the composer). */
export interface AttachedResource {
  server: string;
  uri: string;
  name: string;
}

export interface ChatTools {
  servers: string[];
  maxSteps?: number;
}

export interface McpSlice {
  mcpServers: McpServerStatus[];
  mcpStatus: LoadStatus;
  /** Sampling requests waiting for the user, oldest first. */
  samplingRequests: SamplingRequest[];
  /** Servers' requests for input (elicitation) waiting for the user, oldest first. */
  elicitationRequests: ElicitationRequest[];
  attachedResources: AttachedResource[];
  /** Tools chosen for a chat not created yet; saved as its settings when the first message creates it. */
  newChatTools: ChatTools | null;
  loadMcp(): Promise<void>;
  receiveMcpChanged(name: string, status: McpServerStatus | null): void;
  /** Adds a server; answers an error message, or null when it was added. */
  addMcpServer(input: McpServerInput): Promise<string | null>;
  /** Replaces a server's config (same name); answers an error message, or null when it was saved. */
  updateMcpServer(input: McpServerInput): Promise<string | null>;
  removeMcpServer(name: string): Promise<void>;
  setMcpEnabled(name: string, enabled: boolean): Promise<void>;
  restartMcpServer(name: string): Promise<void>;
  /** [issue 15] "Allow this server to run": a stdio server added from a file or by another program. */
  confirmMcpStart(name: string): Promise<void>;
  setMcpToolPolicy(name: string, tool: string, change: { enabled?: boolean; approval?: ToolApprovalPolicy }): Promise<void>;
  importMcp(content: string): Promise<McpImportResult | string>;
  exportMcp(): Promise<RouteOutput<'mcp.export'> | null>;
  /** Answers an approval card of a running answer (found by its approval id). */
  approveTool(approvalId: string, decision: ToolDecision): Promise<void>;
  loadPendingSampling(): Promise<void>;
  receiveSamplingRequest(request: SamplingRequest): void;
  answerSampling(requestId: string, decision: 'approve' | 'deny', modelId?: string): Promise<void>;
  loadPendingElicitations(): Promise<void>;
  receiveElicitationRequest(request: ElicitationRequest): void;
  /** The request ended (answered here or elsewhere, timed out, cancelled by the server): its form closes. */
  receiveElicitationEnded(requestId: string): void;
  /**
   * Answers a server's request for input. Answers null when it went (or was already gone), or the problem of each
   * field when the core refused the values (the form stays open to fix them); other failures become a notice.
   */
  answerElicitation(requestId: string, action: 'accept' | 'decline' | 'cancel', content?: ElicitationContent): Promise<Record<string, string> | null>;
  /** Starts a server's sign-in; answers the consent link when a browser flow began (null otherwise, or on failure). */
  loginMcpServer(name: string): Promise<string | null>;
  logoutMcpServer(name: string): Promise<void>;
  attachResource(resource: AttachedResource): void;
  detachResource(server: string, uri: string): void;
  clearAttachments(): void;
  setNewChatTools(tools: ChatTools | null): void;
  /** Changes some of settings `mcp`, merged with the newest (also unsaved) values so quick changes do not undo each other. */
  updateMcpSettings(patch: Partial<Settings['mcp']>): Promise<boolean>;
  /** Direct calls for the MCP page; they throw TandemClientError like the client. */
  callMcpTool(name: string, tool: string, args: Record<string, unknown>): Promise<RouteOutput<'mcp.callTool'>>;
  readMcpResource(name: string, uri: string): Promise<RouteOutput<'mcp.readResource'>>;
  getMcpPrompt(name: string, prompt: string, args: Record<string, string>): Promise<RouteOutput<'mcp.getPrompt'>>;
  loadMcpLogs(name: string): Promise<string[]>;
}

const MAX_ATTACHMENTS = 8;

function sortByName(servers: McpServerStatus[]): McpServerStatus[] {
  return servers.slice().sort((a, b) => a.name.localeCompare(b.name));
}

export const createMcpSlice: SliceCreator<McpSlice> = (set, get, { client }) => {
  const putServer = (status: McpServerStatus) =>
    set((state) => ({ mcpServers: sortByName([...state.mcpServers.filter((s) => s.name !== status.name), status]) }));

  const setApproval = (approvalId: string, approvalState: ApprovalState) =>
    set((state) => {
      for (const [chatId, progress] of Object.entries(state.streams)) {
        const tools = progress.tools;
        const index = tools?.findIndex((t) => t.approval?.approvalId === approvalId) ?? -1;
        if (!tools || index === -1) continue;
        const next = tools.slice();
        const tool = next[index]!;
        next[index] = { ...tool, approval: { approvalId, state: approvalState } };
        return { streams: { ...state.streams, [chatId]: { ...progress, tools: next } } };
      }
      return {};
    });

  /** Runs a server action that answers the new status; failures become a notice. */
  const act = async (what: string, run: () => Promise<McpServerStatus>) => {
    try {
      putServer(await run());
    } catch (error) {
      get().notify(`Could not ${what}: ${describeError(error)}`);
    }
  };

  return {
    mcpServers: [],
    mcpStatus: 'idle',
    samplingRequests: [],
    elicitationRequests: [],
    attachedResources: [],
    newChatTools: null,

    loadMcp: async () => {
      if (get().mcpStatus !== 'ready') set({ mcpStatus: 'loading' });
      try {
        set({ mcpServers: sortByName(await client.request('mcp.list', {})), mcpStatus: 'ready' });
      } catch (error) {
        set({ mcpStatus: 'error' });
        get().notify(`Could not load MCP servers: ${describeError(error)}`);
      }
    },

    receiveMcpChanged: (name, status) => {
      if (status) putServer(status);
      else set((state) => ({ mcpServers: state.mcpServers.filter((s) => s.name !== name) }));
    },

    addMcpServer: async (input) => {
      try {
        putServer(await client.request('mcp.add', input));
        return null;
      } catch (error) {
        return describeError(error);
      }
    },

    updateMcpServer: async (input) => {
      try {
        putServer(await client.request('mcp.update', input));
        return null;
      } catch (error) {
        return describeError(error);
      }
    },

    removeMcpServer: async (name) => {
      try {
        await client.request('mcp.remove', { name });
        set((state) => ({
          mcpServers: state.mcpServers.filter((s) => s.name !== name),
          attachedResources: state.attachedResources.filter((r) => r.server !== name),
        }));
      } catch (error) {
        get().notify(`Could not remove ${name}: ${describeError(error)}`);
      }
    },

    setMcpEnabled: (name, enabled) => act(`${enabled ? 'enable' : 'disable'} ${name}`, () => client.request('mcp.setEnabled', { name, enabled })),
    restartMcpServer: (name) => act(`restart ${name}`, () => client.request('mcp.restart', { name })),
    confirmMcpStart: (name) => act(`allow ${name} to run`, () => client.request('mcp.confirmStart', { name })),
    setMcpToolPolicy: (name, tool, change) =>
      act(`change the tool ${tool}`, () => client.request('mcp.setToolPolicy', { name, tool, ...change })),

    importMcp: async (content) => {
      try {
        const result = await client.request('mcp.import', { content });
        void get().loadMcp();
        return result;
      } catch (error) {
        return describeError(error);
      }
    },

    exportMcp: async () => {
      try {
        return await client.request('mcp.export', {});
      } catch (error) {
        get().notify(`Could not export the servers: ${describeError(error)}`);
        return null;
      }
    },

    approveTool: async (approvalId, decision) => {
      setApproval(approvalId, 'sending');
      try {
        const { resolved } = await client.request('chat.approveTool', { approvalId, decision });
        setApproval(approvalId, resolved ? decision : 'expired');
      } catch (error) {
        setApproval(approvalId, 'pending');
        get().notify(`Could not answer the tool call: ${describeError(error)}`);
      }
    },

    loadPendingSampling: async () => {
      try {
        set({ samplingRequests: await client.request('mcp.pendingSampling', {}) });
      } catch {
        // Nothing waiting can be shown; new requests still arrive as events.
      }
    },

    receiveSamplingRequest: (request) =>
      set((state) =>
        state.samplingRequests.some((r) => r.requestId === request.requestId) ? {} : { samplingRequests: [...state.samplingRequests, request] },
      ),

    answerSampling: async (requestId, decision, modelId) => {
      try {
        await client.request('mcp.answerSampling', { requestId, decision, ...(modelId ? { modelId } : {}) });
      } catch (error) {
        get().notify(`Could not answer the sampling request: ${describeError(error)}`);
      }
      // Answered here or elsewhere (or gone): either way it waits no more.
      set((state) => ({ samplingRequests: state.samplingRequests.filter((r) => r.requestId !== requestId) }));
    },

    loadPendingElicitations: async () => {
      try {
        set({ elicitationRequests: await client.request('mcp.pendingElicitations', {}) });
      } catch {
        // Nothing waiting can be shown; new requests still arrive as events.
      }
    },

    receiveElicitationRequest: (request) =>
      set((state) =>
        state.elicitationRequests.some((r) => r.requestId === request.requestId)
          ? {}
          : { elicitationRequests: [...state.elicitationRequests, request] },
      ),

    receiveElicitationEnded: (requestId) =>
      set((state) => ({ elicitationRequests: state.elicitationRequests.filter((r) => r.requestId !== requestId) })),

    answerElicitation: async (requestId, action, content) => {
      try {
        await client.request('mcp.answerElicitation', { requestId, action, ...(content ? { content } : {}) });
      } catch (error) {
        const details = (error as { details?: unknown }).details;
        if ((error as { code?: string }).code === 'INVALID_INPUT' && details && typeof details === 'object' && !Array.isArray(details)) {
          return details as Record<string, string>;
        }
        get().notify(`Could not answer the request for input: ${describeError(error)}`);
      }
      // Answered here or elsewhere (or gone): either way it waits no more.
      get().receiveElicitationEnded(requestId);
      return null;
    },

    loginMcpServer: async (name) => {
      try {
        const { authorizationUrl, status } = await client.request('mcp.login', { name });
        putServer(status);
        return authorizationUrl;
      } catch (error) {
        get().notify(`Could not sign in to ${name}: ${describeError(error)}`);
        return null;
      }
    },

    logoutMcpServer: (name) => act(`sign out of ${name}`, () => client.request('mcp.logout', { name })),

    attachResource: (resource) =>
      set((state) => {
        if (state.attachedResources.some((r) => r.server === resource.server && r.uri === resource.uri)) return {};
        if (state.attachedResources.length >= MAX_ATTACHMENTS) {
          get().notify(`At most ${MAX_ATTACHMENTS} resources can be attached to one message.`, 'info');
          return {};
        }
        return { attachedResources: [...state.attachedResources, resource] };
      }),
    detachResource: (server, uri) =>
      set((state) => ({ attachedResources: state.attachedResources.filter((r) => !(r.server === server && r.uri === uri)) })),
    clearAttachments: () => set({ attachedResources: [] }),
    setNewChatTools: (tools) => set({ newChatTools: tools }),
    updateMcpSettings: async (patch) => {
      const before = get().settings;
      if (!before) return false;
      const mcp = { ...before.mcp, ...patch };
      set({ settings: { ...before, mcp } });
      const saved = await get().updateSettings({ mcp });
      if (!saved) void get().loadSettings();
      return saved;
    },
    callMcpTool: (name, tool, args) => client.request('mcp.callTool', { name, tool, args }),
    readMcpResource: (name, uri) => client.request('mcp.readResource', { name, uri }),
    getMcpPrompt: (name, prompt, args) => client.request('mcp.getPrompt', { name, prompt, ...(Object.keys(args).length ? { args } : {}) }),
    loadMcpLogs: async (name) => (await client.request('mcp.logs', { name })).lines,
  };
};
