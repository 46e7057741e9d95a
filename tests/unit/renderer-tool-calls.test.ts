import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../shared/ipc/domain';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { exampleArgs, parseArgs, parseEnvLines, parseHeaderLines } from '../../renderer/src/lib/mcp-form';
import { applyParts } from '../../renderer/src/store/stream-reducer';

const assistant = (): ChatMessage => ({
  id: 'a',
  role: 'assistant',
  text: '',
  createdAt: new Date(0).toISOString(),
  status: 'streaming',
  modelId: 'm',
  finishReason: null,
  usage: null,
  error: null,
});

const call: StreamPart = { type: 'tool-call', toolCallId: 'c1', toolName: 'echo', args: { message: 'hi' }, server: 'everything' };
const approval: StreamPart = { type: 'tool-approval', approvalId: 'ap1', toolCallId: 'c1', server: 'everything', toolName: 'echo', args: { message: 'hi' } };
const result: StreamPart = {
  type: 'tool-result',
  toolCallId: 'c1',
  server: 'everything',
  toolName: 'echo',
  status: 'done',
  result: 'Echo: hi',
  truncatedForModel: false,
  durationMs: 12,
};

describe('tool parts in the stream reducer', () => {
  it('follows a call through approval, progress and result, and saves the record with the message', () => {
    let state = applyParts({ message: assistant(), reasoning: '' }, [call, approval]);
    expect(state.tools).toHaveLength(1);
    expect(state.tools[0]).toMatchObject({ toolName: 'echo', server: 'everything', approval: { approvalId: 'ap1', state: 'pending' }, result: null });

    state = applyParts(state, [{ type: 'tool-progress', toolCallId: 'c1', progress: 1, total: 3 }]);
    expect(state.tools[0]?.progress).toEqual({ progress: 1, total: 3 });

    state = applyParts(state, [result, { type: 'text-delta', text: 'Done.' }]);
    expect(state.tools[0]?.result).toMatchObject({ status: 'done', result: 'Echo: hi', args: { message: 'hi' } });
    expect(state.tools[0]?.progress).toBeNull();
    const { type: _type, ...record } = result;
    expect(state.message.toolCalls).toEqual([{ ...record, args: { message: 'hi' } }]);
    expect(state.message.text).toBe('Done.');
  });

  it('keeps the tools array when only text arrives, so the cards do not re-render per delta', () => {
    const withTool = applyParts({ message: assistant(), reasoning: '' }, [call]);
    const next = applyParts(withTool, [{ type: 'text-delta', text: 'more' }]);
    expect(next.tools).toBe(withTool.tools);
    expect(next.message.toolCalls).toBe(withTool.message.toolCalls);
    const empty = applyParts({ message: assistant(), reasoning: '' }, [{ type: 'text-delta', text: 'a' }]);
    expect(applyParts(empty, [{ type: 'text-delta', text: 'b' }]).tools).toBe(empty.tools);
  });
});

describe('the MCP server form', () => {
  it('splits arguments by line, or by spaces with quotes on one line', () => {
    expect(parseArgs('/a b/index.js\nstdio')).toEqual(['/a b/index.js', 'stdio']);
    expect(parseArgs('-y "@scope/server x" \'single q\' plain')).toEqual(['-y', '@scope/server x', 'single q', 'plain']);
    expect(parseArgs('')).toEqual([]);
    expect(parseArgs('"open')).toBeNull();
  });

  it('reads KEY=VALUE and Name: value lines and points at a bad one', () => {
    expect(parseEnvLines('A=1\n\n# note\nB_2=x=y')).toEqual({ values: { A: '1', B_2: 'x=y' } });
    expect(parseEnvLines('A=1\nnot a pair')).toEqual({ badLine: 2 });
    expect(parseHeaderLines('Authorization: Bearer t')).toEqual({ values: { Authorization: 'Bearer t' } });
    expect(parseHeaderLines('no colon')).toEqual({ badLine: 1 });
  });

  it('prefills tool arguments from the schema: defaults, else empty values of each type', () => {
    const schema = {
      type: 'object',
      properties: {
        message: { type: 'string' },
        steps: { type: 'number', default: 5 },
        flag: { type: 'boolean' },
        mode: { enum: ['a', 'b'] },
        nested: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } } },
      },
    };
    expect(exampleArgs(schema)).toEqual({ message: '', steps: 5, flag: false, mode: 'a', nested: { n: 1 } });
    expect(exampleArgs({})).toEqual({});
  });
});
