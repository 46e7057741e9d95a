import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { ApiError } from './api-errors';

/** The largest request body accepted (413 above it). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Past this much, a too-large body is not even drained: the connection is dropped. */
const DRAIN_LIMIT_BYTES = 4 * MAX_BODY_BYTES;

/** Reads the request body as JSON (an object), bounded; 413 when too large, 400 when not JSON. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new ApiError(413, `The request body is larger than ${Math.round(limit / 1024 / 1024)} MB.`, 'invalid_request_error', 'request_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number.isFinite(declared) && declared > limit;
  if (over && declared > DRAIN_LIMIT_BYTES) {
    req.destroy();
    throw tooLarge();
  }
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (size > DRAIN_LIMIT_BYTES) {
        req.destroy();
        resolve();
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve());
    req.on('error', reject);
    req.on('close', () => resolve());
  });
  if (over) throw tooLarge();
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ApiError(400, 'The request needs a JSON body.', 'invalid_request_error', 'invalid_json');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'We could not parse the JSON body of your request. (Send a JSON object.)', 'invalid_request_error', 'invalid_json');
  }
}

/** Validates a parsed body; the first problem becomes a 400 naming the parameter, as OpenAI does ("messages[0].content"). */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_type');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = paramOf(issue.path);
  throw new ApiError(400, `Invalid value for '${param || 'body'}': ${issue.message}`, 'invalid_request_error', issueCode(issue.code), param || null);
}

export function paramOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function issueCode(code: string): string {
  if (code === 'invalid_type') return 'invalid_type';
  if (code === 'too_big' || code === 'too_small') return 'invalid_value';
  if (code === 'unrecognized_keys') return 'unknown_parameter';
  return 'invalid_value';
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Only printable ASCII survives in a header value (no CR/LF, no Unicode), bounded. */
export function headerSafe(text: string, max = 300): string {
  const ascii = text.normalize('NFKD').replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '').trim();
  return ascii.length > max ? `${ascii.slice(0, max - 3)}...` : ascii;
}

/** A server-sent events response: `data: JSON\n\n` (OpenAI) or `event: NAME\ndata: JSON\n\n` (Anthropic, Responses). */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {}

  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.flushHeaders();
  }

  data(payload: unknown): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  event(name: string, payload: unknown): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  raw(text: string): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(text);
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}
