import { CodedError } from '../../../shared/ipc/errors';
import type { GenerateRequest, LanguageModel } from '../models/language-model';

/** Streams one request to its end and returns the text; a model error or a stop becomes a coded error. */
export async function generateText(model: LanguageModel, request: GenerateRequest, signal: AbortSignal): Promise<string> {
  let text = '';
  let cancelled = false;
  for await (const part of model.stream(request, { signal })) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'finish' && part.reason === 'cancelled') cancelled = true;
    else if (part.type === 'error') throw new CodedError(part.code, part.message, { retryable: part.retryable });
  }
  if (cancelled || signal.aborted) throw new CodedError('CANCELLED', 'Stopped');
  return text;
}

/** The value of `field` in a JSON reply (possibly fenced or wrapped in prose), or null. */
export function jsonField(text: string, field: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const value = JSON.parse(text.slice(start, end + 1)) as unknown;
    return value && typeof value === 'object' ? ((value as Record<string, unknown>)[field] ?? null) : null;
  } catch {
    return null;
  }
}
