import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ElicitationService } from '../../electron/core/mcp/elicitation-service';
import { McpHost } from '../../electron/core/mcp/mcp-host';
import { createToolApprovalHandlers } from '../../electron/core/rpc/tool-approval-handlers';
import { ApprovalBroker } from '../../electron/core/mcp/approval-broker';
import { SamplingService } from '../../electron/core/mcp/sampling-service';
import { CodedError } from '../../shared/ipc/errors';
import type { ElicitationRequest } from '../../shared/ipc/routes/mcp';
import { repoRoot } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/**
 * Elicitation end to end in core: the reference "everything" server (stdio,
 * a real child process) asks for input from inside a tool call
 * (`trigger-elicitation-request`, `trigger-url-elicitation`); the request
 * waits in the ElicitationService until the user answers through the
 * `mcp.answerElicitation` route's handler, and the server gets the answer.
 */

const EVERYTHING = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const SERVER = 'everything';
const temp = new TempDirs();
const requested: ElicitationRequest[] = [];
const ended: string[] = [];
let host: McpHost;
let service: ElicitationService;
let routes: ReturnType<typeof createToolApprovalHandlers>;

/** Answers through the route handler, as the UI does. */
async function answer(input: Parameters<(typeof routes)['mcp.answerElicitation']>[0]) {
  return routes['mcp.answerElicitation'](input, { clientId: 'ui', fromWindow: true });
}

async function nextRequest(): Promise<ElicitationRequest> {
  const before = requested.length;
  await waitUntil(() => requested.length > before, 'the elicitation request', 15_000);
  return requested.at(-1)!;
}

beforeAll(async () => {
  const dataDir = await temp.make('tandem-mcp-elicitation-');
  service = new ElicitationService({ broadcast: (r) => requested.push(r), ended: (id) => ended.push(id) });
  routes = createToolApprovalHandlers({
    approvals: new ApprovalBroker(),
    sampling: new SamplingService({ broadcast: () => undefined, resolveModel: () => Promise.reject(new Error('none')), proposedModelId: async () => null }),
    elicitation: service,
  });
  host = new McpHost({ dataDir, logger: new RecordingLogger(), loginShellPath: false, elicitationHandler: service.handler });
  await host.init();
  await host.add({ transport: 'stdio', name: SERVER, command: process.execPath, args: [EVERYTHING, 'stdio'] });
  await waitUntil(() => host.status(SERVER)?.state === 'ready', 'everything to be ready', 30_000);
  // server-everything registers its elicitation tools only for clients that declare elicitation (form and url).
  await waitUntil(
    () => ['trigger-elicitation-request', 'trigger-url-elicitation'].every((name) => host.status(SERVER)!.tools.some((t) => t.name === name)),
    'the elicitation tools',
    10_000,
  );
});

afterEach(() => expect(service.list()).toEqual([]));

afterAll(async () => {
  await host?.dispose();
  service?.dispose();
  await temp.removeAll();
});

describe('form elicitation from a real server', () => {
  test('the request names the server and carries the schema; an accepted answer reaches the server with defaults filled in', async () => {
    const call = host.callTool(SERVER, 'trigger-elicitation-request', {});
    const request = await nextRequest();
    expect(request).toMatchObject({ server: SERVER, mode: 'form', url: null, message: expect.stringContaining('Please provide inputs') });
    expect(Object.keys((request.requestedSchema as { properties: object }).properties)).toEqual(expect.arrayContaining(['name', 'email', 'integer']));
    expect(routes['mcp.pendingElicitations']({}, { clientId: 'ui' })).toEqual([request]);

    expect(await answer({ requestId: request.requestId, action: 'accept', content: { name: 'Ada Lovelace', email: 'ada@example.com', check: true } })).toEqual({
      resolved: true,
    });
    const result = await call;
    expect(result.isError).toBe(false);
    expect(result.text).toContain('User provided the requested information');
    expect(result.text).toContain('- Name: Ada Lovelace');
    expect(result.text).toContain('- Email: ada@example.com');
    // Left out by the user, filled with the schema's defaults (SEP-1034).
    expect(result.text).toContain('- Favorite Integer: 42');
    expect(result.text).toContain('It was a dark and stormy night.');
    expect(ended).toContain(request.requestId);
  });

  test('an answer that does not fit the schema is refused and the form keeps waiting; a fixed one goes through', async () => {
    const call = host.callTool(SERVER, 'trigger-elicitation-request', {});
    const request = await nextRequest();
    const bad = await answer({ requestId: request.requestId, action: 'accept', content: { email: 'not an email', integer: 500 } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(CodedError);
    expect((bad as CodedError).code).toBe('INVALID_INPUT');
    expect((bad as CodedError).details).toEqual({ name: 'Required', email: 'Must be an email address', integer: 'At most 100' });
    expect(service.list().map((r) => r.requestId)).toEqual([request.requestId]);
    expect(ended).not.toContain(request.requestId);

    expect(await answer({ requestId: request.requestId, action: 'accept', content: { name: 'Grace', integer: 7 } })).toEqual({ resolved: true });
    const result = await call;
    expect(result.text).toContain('- Name: Grace');
    expect(result.text).toContain('- Favorite Integer: 7');
    expect(result.text).not.toContain('not an email');
  });

  test('Decline and Cancel reach the server as such, with nothing filled in', async () => {
    for (const action of ['decline', 'cancel'] as const) {
      const call = host.callTool(SERVER, 'trigger-elicitation-request', {});
      const request = await nextRequest();
      expect(await answer({ requestId: request.requestId, action, content: { name: 'ignored' } })).toEqual({ resolved: true });
      const result = await call;
      expect(result.text).toContain(action === 'decline' ? 'User declined' : 'User cancelled');
      expect(result.text).not.toContain('ignored');
      expect(ended).toContain(request.requestId);
    }
  });

  test('an unknown id, one already answered, or an answer from another program resolves nothing', async () => {
    const call = host.callTool(SERVER, 'trigger-elicitation-request', {});
    const request = await nextRequest();
    expect(await answer({ requestId: 'made-up-id', action: 'accept', content: { name: 'Mallory' } })).toEqual({ resolved: false });
    expect(await answer({ requestId: request.requestId.slice(0, -1), action: 'decline' })).toEqual({ resolved: false });
    // Another program on the socket (no Origin: not the user's window) cannot answer, even with the right id.
    expect(() =>
      routes['mcp.answerElicitation']({ requestId: request.requestId, action: 'accept', content: { name: 'Mallory' } }, { clientId: 'other', fromWindow: false }),
    ).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(service.list()).toHaveLength(1);
    expect(await answer({ requestId: request.requestId, action: 'decline' })).toEqual({ resolved: true });
    expect(await answer({ requestId: request.requestId, action: 'accept', content: { name: 'Mallory' } })).toEqual({ resolved: false });
    const result = await call;
    expect(result.text).toContain('User declined');
  });
});

describe('URL elicitation from a real server', () => {
  test('the link is shown, and accept says the user agreed to open it', async () => {
    const call = host.callTool(SERVER, 'trigger-url-elicitation', { url: 'https://example.com/verify?x=1', message: 'Verify your account' });
    const request = await nextRequest();
    expect(request).toMatchObject({ server: SERVER, mode: 'url', url: 'https://example.com/verify?x=1', message: 'Verify your account', requestedSchema: null });
    expect(await answer({ requestId: request.requestId, action: 'accept' })).toEqual({ resolved: true });
    const result = await call;
    expect(result.isError).toBe(false);
    expect(result.text).toMatch(/accept/i);
  });
});
