import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MODEL_TOOL_NAME, ToolNames, modelToolName } from '../../electron/core/mcp/tool-names';
import type { McpTool } from '../../shared/ipc/routes/mcp';

const tool = (name: string): McpTool => ({ name, title: null, description: '', inputSchema: { type: 'object' }, enabled: true, approval: 'ask' });

describe('model-facing tool names', () => {
  test('server__tool, with characters providers refuse replaced', () => {
    expect(modelToolName('everything', 'echo')).toBe('everything__echo');
    expect(modelToolName('my.server', 'get sum/now')).toBe('my_server__get_sum_now');
    expect(modelToolName('fs', 'read-file')).toBe('fs__read-file');
  });

  test('long names are cut to 64 with a hash, so two long names that share a start stay apart', () => {
    const a = modelToolName('server', `${'x'.repeat(80)}a`);
    const b = modelToolName('server', `${'x'.repeat(80)}b`);
    expect(a).toMatch(MODEL_TOOL_NAME);
    expect(b).toMatch(MODEL_TOOL_NAME);
    expect(a).not.toBe(b);
  });

  test('collisions get a numeric suffix and each name maps back to its own server and tool', () => {
    const names = new ToolNames([
      { server: 'a_b', tool: tool('c') },
      { server: 'a.b', tool: tool('c') },
      { server: 'a-b', tool: tool('c') },
    ]);
    expect(names.list().map((t) => t.name)).toEqual(['a-b__c', 'a_b__c', 'a_b__c_2']);
    expect(names.resolve('a_b__c')).toMatchObject({ server: 'a.b' });
    expect(names.resolve('a_b__c_2')).toMatchObject({ server: 'a_b' });
    expect(names.resolve('nope')).toBeNull();
  });

  test('the same tools get the same names whatever order the host lists them in', () => {
    const tools = [
      { server: 'x.y', tool: tool('t') },
      { server: 'x_y', tool: tool('t') },
      { server: 'z', tool: tool('t') },
    ];
    const forward = new ToolNames(tools).list().map((t) => `${t.server}/${t.tool.name}=${t.name}`);
    const backward = new ToolNames([...tools].reverse()).list().map((t) => `${t.server}/${t.tool.name}=${t.name}`);
    expect(backward).toEqual(forward);
  });

  test('any servers and tools: every name is provider-safe, unique, and resolves to its tool', () => {
    const entry = fc.record({ server: fc.string({ minLength: 1, maxLength: 70 }), name: fc.string({ minLength: 1, maxLength: 100 }) });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { maxLength: 30, selector: (e) => `${e.server}\u0000${e.name}` }), (entries) => {
        const names = new ToolNames(entries.map((e) => ({ server: e.server, tool: tool(e.name) })));
        const listed = names.list();
        expect(listed).toHaveLength(entries.length);
        expect(new Set(listed.map((t) => t.name)).size).toBe(entries.length);
        for (const t of listed) {
          expect(t.name).toMatch(MODEL_TOOL_NAME);
          expect(names.resolve(t.name)).toBe(t);
        }
      }),
    );
  });
});
