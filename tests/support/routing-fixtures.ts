import type { StreamPart } from '../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../../electron/core/models/language-model';
import type { ModelCallInfo, SpendEntry } from '../../electron/core/routing/types';

/**
 * A model that streams the parts it is given (for the budget and metering
 * unit tests, where no provider is involved), pausing a tick between parts
 * as a real stream would. Counts the requests that reached it.
 */
export class ScriptedModel implements LanguageModel {
  calls = 0;
  readonly requests: GenerateRequest[] = [];

  constructor(
    readonly id: string,
    private readonly parts: StreamPart[],
  ) {}

  async *stream(request: GenerateRequest, { signal }: { signal: AbortSignal }): AsyncIterable<StreamPart> {
    this.calls += 1;
    this.requests.push(request);
    for (const part of this.parts) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) {
        yield { type: 'finish', reason: 'cancelled' };
        return;
      }
      yield part;
    }
  }
}

/** A spend entry with defaults: a cloud request on `fake/gpt-test` that cost nothing, now. */
export function spendEntry(overrides: Partial<SpendEntry> = {}): SpendEntry {
  return {
    at: new Date().toISOString(),
    modelId: 'fake/gpt-test',
    provider: 'fake',
    kind: 'cloud',
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    savedUsd: 0,
    errorCode: null,
    chatId: null,
    decisionId: null,
    ...overrides,
  };
}

/** What the wrappers know about a cloud model (override for local ones). */
export function callInfo(overrides: Partial<ModelCallInfo> = {}): ModelCallInfo {
  return {
    modelId: 'fake/gpt-test',
    kind: 'cloud',
    provider: 'fake',
    price: { input: 2, output: 10 },
    chatId: null,
    decisionId: null,
    referencePrice: null,
    referenceModelId: null,
    ...overrides,
  };
}

/** Every part of a stream, collected. */
export async function collectParts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}
