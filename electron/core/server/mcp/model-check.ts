import { CodedError } from '../../../../shared/ipc/errors';
import type { Core } from '../../app/create-core';
import { ApiError } from '../api/api-errors';
import { canonicalModelId, checkChatModel } from '../api/model-turn';

/**
 * The HTTP API's model id check for MCP tools, before any model call or lab
 * run: the router (`auto`, `tandem/auto`), a configured provider's
 * `PROVIDER/MODEL`, or a usable chat model of the library by id — never a
 * file path, which would let a client load any `.gguf` on this machine.
 * Answers the canonical id; a refused one is a tool error (MODEL_NOT_FOUND or
 * INVALID_INPUT) naming the argument.
 */
export async function checkToolModel(core: Core, modelId: string, argument = 'model'): Promise<string> {
  const id = canonicalModelId(modelId);
  try {
    await checkChatModel(core, id);
  } catch (error) {
    if (error instanceof ApiError) {
      throw new CodedError(error.status === 404 ? 'MODEL_NOT_FOUND' : 'INVALID_INPUT', `${argument}: ${error.message} Use an id from list_models (a local model id, PROVIDER/MODEL or auto).`);
    }
    throw error;
  }
  return id;
}

/** The longest regex a grader may have over MCP. */
export const MAX_REGEX_PATTERN = 200;

/**
 * Why a regex from the network is refused (null: it may run): too long, or
 * a quantified group that itself contains a quantifier — `(a+)+`, `(a*)*`,
 * `(\w+\s?){2,}` — the usual shape of catastrophic backtracking. A simple
 * heuristic, not a proof: it refuses some harmless patterns and the lab
 * also caps the answer a regex runs on.
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_PATTERN) return `the pattern is longer than ${MAX_REGEX_PATTERN} characters`;
  // Strip escapes and character classes, then look for a group with a quantifier inside and after it.
  const bare = pattern.replace(/\\./g, 'e').replace(/\[[^\]]*\]/g, 'c');
  const stack: boolean[] = [];
  for (let i = 0; i < bare.length; i++) {
    const ch = bare[i];
    if (ch === '(') stack.push(false);
    else if (ch === ')') {
      const inner = stack.pop() ?? false;
      const next = bare[i + 1];
      const quantified = next === '+' || next === '*' || (next === '{' && /^\{\d*,\d*\}|^\{\d{2,}\}/.test(bare.slice(i + 1)));
      if (inner && quantified) return 'it has a quantified group with a quantifier inside, such as (a+)+, which can backtrack for ever';
      if (stack.length > 0 && (inner || quantified)) stack[stack.length - 1] = true;
    } else if ((ch === '+' || ch === '*' || ch === '{') && stack.length > 0) {
      stack[stack.length - 1] = true;
    }
  }
  return null;
}
