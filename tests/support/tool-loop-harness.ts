import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatSettings } from '../../shared/ipc/chat-settings';
import type { SamplingRequest } from '../../shared/ipc/routes/mcp';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { ChatStore } from '../../electron/core/chats/chat-store';
import { ChatTurnRunner } from '../../electron/core/chats/chat-turn-runner';
import { createToolApprovalHandlers } from '../../electron/core/rpc/tool-approval-handlers';
import { ApprovalBroker, type ApprovalDecision } from '../../electron/core/mcp/approval-broker';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import { SamplingService } from '../../electron/core/mcp/sampling-service';
import { ToolLoop } from '../../electron/core/mcp/tool-loop';
import type { LanguageModel } from '../../electron/core/models/language-model';
import { RecordingLogger } from './test-logger';
import type { TempDirs } from './temp-dir';
import { waitUntil } from './wait';

/** The reference server every tool-loop test talks to, as a real child process. */
export const everythingServer = {
  transport: 'stdio' as const,
  name: 'everything',
  command: process.execPath,
  args: [fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js')), 'stdio'],
};

/** One streaming turn: its parts as they come, and its end. */
export interface RunningTurn {
  parts: StreamPart[];
  assistantMessageId: string;
  done: Promise<void>;
  cancel(): void;
  /** Waits for the nth (1-based) part of a type. */
  next<T extends StreamPart['type']>(type: T, nth?: number): Promise<Extract<StreamPart, { type: T }>>;
}

/**
 * The tool loop as the app wires it, minus the transport: a real McpHost with
 * server-everything, the chat store and turn runner, the approval broker and
 * sampling service, and the real `chat.approveTool` / sampling route handlers.
 */
export class ToolLoopHarness {
  readonly logger = new RecordingLogger();
  readonly approvals = new ApprovalBroker();
  readonly samplingRequests: SamplingRequest[] = [];
  maxToolResultChars = 20_000;
  host!: McpHost;
  chats!: ChatStore;
  turns!: ChatTurnRunner;
  loop!: ToolLoop;
  sampling!: SamplingService;
  dataDir!: string;
  private routes!: ReturnType<typeof createToolApprovalHandlers>;

  constructor(
    private readonly resolveModel: (modelId: string) => Promise<LanguageModel>,
    private readonly proposedModelId: string | null,
  ) {}

  async start(temp: TempDirs): Promise<this> {
    this.dataDir = await temp.make('tandem-tool-loop-');
    this.sampling = new SamplingService({
      broadcast: (request) => this.samplingRequests.push(request),
      resolveModel: this.resolveModel,
      proposedModelId: async () => this.proposedModelId,
    });
    this.routes = createToolApprovalHandlers({ approvals: this.approvals, sampling: this.sampling });
    this.host = new McpHost({ dataDir: this.dataDir, logger: this.logger, samplingHandler: this.sampling.handler, loginShellPath: false });
    await this.host.init();
    await this.host.add(everythingServer);
    await this.host.ensureReady('everything');
    this.chats = new ChatStore(join(this.dataDir, 'chats'));
    await this.chats.init();
    this.loop = new ToolLoop({ host: this.host, approvals: this.approvals, maxToolResultChars: () => this.maxToolResultChars });
    this.turns = new ChatTurnRunner({
      store: this.chats,
      resolveModel: this.resolveModel,
      maxTokens: () => 64,
      onChatChanged: () => undefined,
      toolLoop: this.loop,
      maxToolResultChars: () => this.maxToolResultChars,
    });
    return this;
  }

  async chat(settings: ChatSettings = { tools: { servers: ['everything'] } }): Promise<string> {
    const chat = await this.chats.create();
    await this.chats.updateSettings(chat.id, settings);
    return chat.id;
  }

  /** `chat.send` as the runner gets it, streamed into `parts`. */
  async send(
    chatId: string,
    text: string,
    modelId: string,
    options: { clientId?: string; resources?: { server: string; uri: string }[] } = {},
  ): Promise<RunningTurn> {
    const started = await this.turns.start({ chatId, text, modelId, clientId: options.clientId ?? 'window-1', resources: options.resources });
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    const done = started.run((part) => parts.push(part), controller.signal);
    return {
      parts,
      assistantMessageId: started.info.assistantMessageId,
      done,
      cancel: () => controller.abort(),
      next: async (type, nth = 1) => {
        const find = () => parts.filter((p) => p.type === type)[nth - 1];
        await waitUntil(() => find() !== undefined || parts.some((p) => p.type === 'finish' || p.type === 'error'), `a ${type} part`, 30_000);
        const part = find();
        if (!part) throw new Error(`the turn ended without a ${type} part: ${JSON.stringify(parts)}`);
        return part as never;
      },
    };
  }

  /** The `chat.approveTool` route, as the given client calls it. */
  approve(approvalId: string, decision: ApprovalDecision, clientId = 'window-1'): { resolved: boolean } {
    return this.routes['chat.approveTool']({ approvalId, decision }, { clientId }) as { resolved: boolean };
  }

  /** The `mcp.answerSampling` route. */
  answerSampling(requestId: string, decision: 'approve' | 'deny', modelId?: string): { resolved: boolean } {
    return this.routes['mcp.answerSampling']({ requestId, decision, ...(modelId ? { modelId } : {}) }, { clientId: 'window-1' }) as {
      resolved: boolean;
    };
  }

  pendingSampling(): SamplingRequest[] {
    return this.routes['mcp.pendingSampling']({}, { clientId: 'window-1' }) as SamplingRequest[];
  }

  async assistantMessage(chatId: string) {
    const chat = await this.chats.get(chatId);
    const message = chat.messages.findLast((m) => m.role === 'assistant');
    if (!message) throw new Error('no assistant message');
    return message;
  }

  async dispose(): Promise<void> {
    this.approvals.dispose();
    this.sampling?.dispose();
    await this.host?.dispose();
    await this.chats?.dispose();
  }
}

export const textOf = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
