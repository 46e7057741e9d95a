import { createLogger } from '../app/logger';
import { CodedError, toTandemError } from '../../../shared/ipc/errors';
import type { GlobalOptions } from './main';
import { openCliCore } from './open-cli-core';

/**
 * `tandem chat --model FILE_OR_ID "prompt"`: streams one answer to stdout.
 * Ctrl-C stops generation cleanly (exit 130); failures print a code and a
 * message to stderr and exit 1.
 */
export async function runChat(
  global: GlobalOptions,
  options: { model: string | undefined; prompt: string; maxTokens?: number },
): Promise<number> {
  if (!options.model) {
    process.stderr.write('tandem chat: --model FILE_OR_ID is required (a .gguf path or a model id from your models folders)\n');
    return 2;
  }
  if (options.prompt.trim() === '') {
    process.stderr.write('tandem chat: give a prompt, e.g. tandem chat --model my-model "Hello"\n');
    return 2;
  }
  const logger = createLogger((process.env.TANDEM_LOG_LEVEL as never) ?? 'warn');
  const core = await openCliCore(global, 'chat', { logger });
  if (!core) return 1;
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stop waiting for a clean stop
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let exitCode = 0;
  let wroteText = false;
  let answeredBy: string | null = null;
  try {
    const model = await core.resolveModel(options.model);
    const stream = model.stream(
      { messages: [{ role: 'user', text: options.prompt }], maxTokens: options.maxTokens ?? core.settings.get().maxTokens },
      { signal: controller.signal },
    );
    for await (const part of stream) {
      if (part.type === 'text-delta') {
        process.stdout.write(part.text);
        wroteText = true;
      } else if (part.type === 'route') {
        answeredBy = part.decision.chosenModelId;
        process.stderr.write(
          part.decision.chosenModelId ? `tandem chat: Auto picked ${part.decision.chosenModelId}: ${part.decision.reason}\n` : `tandem chat: ${part.decision.reason}\n`,
        );
      } else if (part.type === 'fallback') {
        answeredBy = part.nextModelId;
        process.stderr.write(`tandem chat: ${part.failedModelId} failed (${part.code}: ${part.message}); ${part.nextModelId} answers instead\n`);
      } else if (part.type === 'queued') {
        process.stderr.write(`tandem chat: queued for ${part.provider} (position ${part.position})\n`);
      } else if (part.type === 'cache-hit') {
        process.stderr.write(`tandem chat: answered from the response cache (saved $${part.savedUsd.toFixed(4)})\n`);
      } else if (part.type === 'retry') {
        process.stderr.write(`tandem chat: ${part.code}, retrying in ${Math.ceil(part.delayMs / 1000)} s (attempt ${part.attempt} of ${part.maxAttempts})\n`);
      } else if (part.type === 'error') {
        throw new CodedError(part.code, part.message);
      } else if (part.type === 'finish' && part.reason === 'cancelled') {
        exitCode = 130;
      }
    }
    if (wroteText) process.stdout.write('\n');
    if (answeredBy) process.stderr.write(`tandem chat: answered by ${answeredBy}\n`);
  } catch (error) {
    if (wroteText) process.stdout.write('\n');
    const { code, message } = toTandemError(error);
    process.stderr.write(`tandem chat: ${code}: ${message}\n`);
    exitCode = code === 'CANCELLED' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await core.dispose();
  }
  return exitCode;
}
