import { CodedError } from '../../../shared/ipc/errors';
import type { PresetId } from '../../../shared/ipc/routes/providers';
import { PRESETS } from './presets';
import type { ProviderRecord } from './provider-store';

/**
 * Which environment variable may hold a provider's key, and where that key
 * may be sent, for requests that come over the contract (the CLI, run by the
 * user at a terminal, is not limited). The rule keeps any route from making
 * Tandem read an arbitrary variable (HOME, AWS_SECRET_ACCESS_KEY…) and send
 * it to an arbitrary URL:
 *
 * - The preset's own variable (OPENAI_API_KEY for openai) is always allowed,
 *   but a client other than the user's window may use it only with the
 *   preset's own base URL (so it cannot redirect the user's key elsewhere).
 * - Any other variable only from the window (the desktop window, or serve
 *   mode's page), and only a name shaped like a key: `…_API_KEY`, `…_KEY` or
 *   `…_TOKEN` (never HOME, PATH or the like).
 * - A client other than the window may not move a provider that holds a key
 *   (sealed, or read from the environment) to another base URL.
 */
export const KEY_VARIABLE_PATTERN = /^[A-Z][A-Z0-9_]*_(API_KEY|KEY|TOKEN)$/;

export interface KeySourceRequest {
  preset: PresetId;
  /** The base URL asked for; undefined means the preset's. */
  baseUrl?: string;
  /** The variable asked for; undefined means the preset's. */
  apiKeyEnv?: string | null;
  fromWindow: boolean;
}

export function checkKeySource(request: KeySourceRequest): void {
  const preset = PRESETS[request.preset];
  const variable = request.apiKeyEnv === undefined ? preset.apiKeyEnv : request.apiKeyEnv;
  if (variable === null) return;
  if (variable !== preset.apiKeyEnv) {
    if (!request.fromWindow) {
      throw new CodedError(
        'FORBIDDEN',
        `Only the Tandem window can choose the environment variable that holds a provider's key (${preset.label} uses ${preset.apiKeyEnv ?? 'none'}); give the key itself instead`,
      );
    }
    if (!KEY_VARIABLE_PATTERN.test(variable)) {
      throw new CodedError('FORBIDDEN', `${variable} does not look like an API key variable; use a name ending in _API_KEY, _KEY or _TOKEN`);
    }
    return;
  }
  if (!request.fromWindow && request.baseUrl !== undefined && stripSlash(request.baseUrl) !== stripSlash(preset.baseUrl)) {
    throw new CodedError(
      'FORBIDDEN',
      `Only the Tandem window can send ${variable} to another address than ${preset.label}'s (${preset.baseUrl}); add the provider there, or give the key itself`,
    );
  }
}

/** For providers.update: the same rule, plus no moving a provider's stored or environment key to another URL from outside the window. */
export function checkKeySourceUpdate(
  record: ProviderRecord,
  change: { baseUrl?: string; apiKeyEnv?: string | null },
  fromWindow: boolean,
): void {
  if (change.apiKeyEnv !== undefined && change.apiKeyEnv !== record.apiKeyEnv) {
    checkKeySource({ preset: record.preset, baseUrl: change.baseUrl ?? record.baseUrl, apiKeyEnv: change.apiKeyEnv, fromWindow });
  }
  const moves = change.baseUrl !== undefined && stripSlash(change.baseUrl) !== stripSlash(record.baseUrl);
  const holdsKey = record.sealedKey !== null || (change.apiKeyEnv === undefined ? record.apiKeyEnv : change.apiKeyEnv) !== null;
  if (moves && holdsKey && !fromWindow) {
    throw new CodedError('FORBIDDEN', `Only the Tandem window can move ${record.name}, which holds a key, to another address`);
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
