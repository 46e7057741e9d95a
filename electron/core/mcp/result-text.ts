/**
 * Turns a tool result's content blocks into the text Tandem shows and gives
 * the model: text blocks joined, media described, resources by their URI.
 */
export function flattenContent(content: readonly unknown[]): string {
  const parts: string[] = [];
  for (const block of content) {
    if (!block || typeof block !== 'object') continue;
    const b = block as Record<string, unknown>;
    switch (b.type) {
      case 'text':
        parts.push(typeof b.text === 'string' ? b.text : '');
        break;
      case 'image':
      case 'audio':
        parts.push(`[${b.type}: ${typeof b.mimeType === 'string' ? b.mimeType : 'unknown type'}, ${base64Bytes(b.data)} bytes]`);
        break;
      case 'resource_link':
        parts.push(`[resource: ${String(b.uri ?? '')}${typeof b.name === 'string' && b.name ? ` (${b.name})` : ''}]`);
        break;
      case 'resource': {
        const r = (b.resource ?? {}) as Record<string, unknown>;
        if (typeof r.text === 'string') parts.push(r.text);
        else parts.push(`[resource: ${String(r.uri ?? '')}, ${typeof r.mimeType === 'string' ? r.mimeType : 'binary'}, ${base64Bytes(r.blob)} bytes]`);
        break;
      }
      default:
        parts.push(`[${String(b.type ?? 'unknown')} content]`);
    }
  }
  return parts.join('\n');
}

/** The decoded size of a base64 string, without decoding it. */
function base64Bytes(data: unknown): number {
  if (typeof data !== 'string') return 0;
  const clean = data.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/**
 * Cuts a tool result for the model (settings `mcp.maxToolResultChars`); the
 * user still sees it whole. Keeps the head and tail and says how much was left out.
 */
export function truncateForModel(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const notice = (omitted: number) => `\n\n[… ${omitted} characters of this tool result were left out …]\n\n`;
  const budget = Math.max(0, maxChars - notice(text.length).length);
  const head = Math.ceil(budget * 0.8);
  const tail = budget - head;
  const omitted = text.length - head - tail;
  const out = `${text.slice(0, head)}${notice(omitted)}${tail > 0 ? text.slice(text.length - tail) : ''}`;
  return { text: out.length <= maxChars ? out : out.slice(0, maxChars), truncated: true };
}
