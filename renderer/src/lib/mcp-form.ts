/** Parsing what a person types into the MCP server form, and a starting point for a tool's arguments. */

/**
 * Command arguments: one a line when there are several lines (so paths with
 * spaces need no quoting), else split on spaces with "double" or 'single'
 * quotes keeping a part together. Null when a quote is left open.
 */
export function parseArgs(text: string): string[] | null {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > 1) return lines.map((line) => line.trim());
  const line = lines[0] ?? '';
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let inArg = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (quote) return null;
  if (inArg) args.push(current);
  return args;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_KEY = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** `KEY=VALUE` lines (blank lines and `#` comments skipped); the bad line's number when one is not of that form. */
export function parseEnvLines(text: string): { values: Record<string, string> } | { badLine: number } {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!ENV_KEY.test(key)) return { badLine: i + 1 };
    values[key] = line.slice(eq + 1);
  }
  return { values };
}

/** `Name: value` lines; the bad line's number when one is not of that form. */
export function parseHeaderLines(text: string): { values: Record<string, string> } | { badLine: number } {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    const key = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!HEADER_KEY.test(key)) return { badLine: i + 1 };
    values[key] = line.slice(colon + 1).trim();
  }
  return { values };
}

function emptyValue(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object') return null;
  const s = schema as Record<string, unknown>;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return exampleArgs(s);
    default:
      return null;
  }
}

/** An object with every property of a tool's input schema, at its default or an empty value of its type. */
export function exampleArgs(inputSchema: Record<string, unknown>): Record<string, unknown> {
  const properties = inputSchema.properties;
  if (!properties || typeof properties !== 'object') return {};
  return Object.fromEntries(Object.entries(properties as Record<string, unknown>).map(([key, schema]) => [key, emptyValue(schema)]));
}

/** Pretty JSON for showing arguments; strings that are not JSON values shown as they are. */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
