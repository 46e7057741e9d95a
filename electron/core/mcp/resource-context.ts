import { CodedError } from '../../../shared/ipc/errors';
import { truncateForModel } from './result-text';
import type { McpToolHost } from './types';

/** An MCP resource attached to a message (`chat.send` `resources`). */
export interface ResourceRef {
  server: string;
  uri: string;
}

/**
 * Reads attached resources and writes them as context for the prompt: text
 * as it is (cut to `maxChars` each, with a notice), binary contents noted by
 * type and size. A resource that cannot be read fails the send, so the user
 * never gets an answer that silently lacks what they attached.
 */
export async function attachResources(host: McpToolHost, refs: readonly ResourceRef[], maxChars: number): Promise<string> {
  const blocks: string[] = [];
  for (const ref of refs) {
    let contents: Awaited<ReturnType<McpToolHost['readResource']>>;
    try {
      contents = await host.readResource(ref.server, ref.uri);
    } catch (error) {
      const code = error instanceof CodedError ? error.code : 'MCP_ERROR';
      throw new CodedError(code, `Could not read the attached resource ${ref.uri} from ${ref.server}: ${(error as Error).message}`);
    }
    for (const content of contents) {
      const header = `Attached resource ${content.uri} (from ${ref.server}${content.mimeType ? `, ${content.mimeType}` : ''}):`;
      if (content.text !== null) blocks.push(`${header}\n${truncateForModel(content.text, maxChars).text}`);
      else {
        const bytes = content.blobBase64 === null ? 0 : Buffer.byteLength(content.blobBase64, 'base64');
        blocks.push(`${header}\n[binary content, ${content.mimeType ?? 'unknown type'}, ${bytes} bytes, not shown]`);
      }
    }
  }
  return blocks.join('\n\n');
}
