import type { TaskTag } from '../../../shared/ipc/routes/compare';
import { TASK_TAGS } from '../../../shared/ipc/routes/compare';
import { looksLikeCode } from '../routing/router-policy';

const CODE_WORDS =
  /\b(function|class|method|compile[sd]?|bug|stack ?trace|regex|sql|python|javascript|typescript|java|rust|golang|c\+\+|c#|bash|shell script|api|json|yaml|refactor|unit tests?|implement)\b/i;
const MATH =
  /(\b(calculate|compute|solve|equation|integral|derivative|probability|percent(age)?|how many|how much|sum of|product of|average of|square root|prime|factorial|remainder)\b|\d+\s*[-+*/×÷^=]\s*\d+)/i;
const SUMMARY = /\b(summari[sz]e|summary|summari[sz]ing|tl;?dr|key points|main points|in (a few|one|two|three) (sentences?|lines?|words)|condense|shorten|gist)\b/i;
const WRITING =
  /\b(write|draft|compose|rewrite|rephrase|paraphrase|edit|proofread|polish)\b.{0,40}\b(poem|story|essay|email|e-mail|letter|blog|post|article|speech|tweet|caption|cover letter|paragraph|lyrics|haiku|slogan|text|message|introduction|conclusion)\b|\b(poem|short story|haiku|limerick|essay)\b/i;

/**
 * What a prompt is about, for the leaderboard's per-task ratings and the
 * lab. A question asked over documents is `documents` whatever its words;
 * otherwise the first of code, math, summarising, writing that matches, else
 * `other`. Cheap word rules: good enough to split a leaderboard, never used
 * to decide anything a user cannot see.
 */
export function detectTaskTag(prompt: string, options: { documents?: boolean } = {}): TaskTag {
  if (options.documents) return 'documents';
  if (looksLikeCode(prompt) || CODE_WORDS.test(prompt)) return 'code';
  if (SUMMARY.test(prompt)) return 'summarising';
  if (WRITING.test(prompt)) return 'writing';
  if (MATH.test(prompt)) return 'math';
  return 'other';
}

/** A saved task string as a tag (outcome files may carry other task names: those are detected from the prompt). */
export function taskTagOf(task: string | undefined, prompt: string): TaskTag {
  return task && (TASK_TAGS as readonly string[]).includes(task) ? (task as TaskTag) : detectTaskTag(prompt);
}
