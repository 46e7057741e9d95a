import { createHash } from 'node:crypto';
import type { McpTool } from '../../../shared/ipc/routes/mcp';

/** What OpenAI (and most providers) accept as a function name. */
export const MODEL_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;

/** A tool as the model sees it: a provider-safe name standing for a server's tool. */
export interface NamedTool {
  /** The name offered to the model (`server__tool`, made safe and unique). */
  name: string;
  server: string;
  tool: McpTool;
}

/**
 * The provider-safe name for a server's tool: `server__tool` with anything
 * outside `[a-zA-Z0-9_-]` replaced by `_`, and a long one cut short with a
 * hash of the whole so that different long names stay different.
 */
export function modelToolName(server: string, tool: string): string {
  const joined = `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (joined.length <= MAX_LENGTH) return joined;
  return `${joined.slice(0, MAX_LENGTH - 9)}_${shortHash(`${server}\u0000${tool}`)}`;
}

/**
 * Names for a set of tools, unique among themselves: two tools whose safe
 * names collide (`a.b`/`c` and `a_b`/`c`) get `_2`, `_3`… in a stable order,
 * so the same tools get the same names on every step of a turn.
 */
export class ToolNames {
  private readonly byName = new Map<string, NamedTool>();

  constructor(tools: readonly { server: string; tool: McpTool }[]) {
    const sorted = [...tools].sort((a, b) => compare(a.server, b.server) || compare(a.tool.name, b.tool.name));
    for (const { server, tool } of sorted) {
      const base = modelToolName(server, tool.name);
      let name = base;
      for (let n = 2; this.byName.has(name); n += 1) {
        const suffix = `_${n}`;
        name = `${base.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
      }
      this.byName.set(name, { name, server, tool });
    }
  }

  /** Every tool, in the order they were named. */
  list(): NamedTool[] {
    return [...this.byName.values()];
  }

  /** The server's tool a model-facing name stands for; null for a name the model made up. */
  resolve(name: string): NamedTool | null {
    return this.byName.get(name) ?? null;
  }

  get size(): number {
    return this.byName.size;
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
