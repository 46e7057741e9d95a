/** Words that carry no content for the overlap check. */
const STOP = new Set(
  (
    'a an the and or but if then so of to in on at by for with from into onto over under about as is are was were be been being am ' +
    'he she it they them his her its their him we us our you your i me my this that these those there here who whom whose which what ' +
    'when where why how not no yes do does did done has have had having will would can could should may might must shall ' +
    'all any some each every one also just very only than too up down out off again once because while after before until ' +
    'himself herself itself themselves someone something somebody thing things'
  ).split(' '),
);

/** A crude stem: lower case, common English endings dropped. */
export function stem(word: string): string {
  let w = word.toLowerCase();
  for (const suffix of ['ingly', 'edly', 'ness', 'ment', 'ing', 'ies', 'ied', 'ed', 'es', 'ly', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w;
}

/** The content words of a text, stemmed (stop words and very short words left out). */
export function contentStems(text: string): string[] {
  const words = text.toLowerCase().replace(/['’]s\b/g, '').split(/[^\p{L}\p{N}]+/u);
  return [...new Set(words.filter((w) => w.length > 2 && !STOP.has(w)).map(stem))];
}

function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 4 && long.startsWith(short);
}

const NEGATION_MISMATCH = 0.35;
const NEGATION = /\b(not|no|never|none|nothing|nobody|without|neither|nor)\b|n['’]t\b/i;

/**
 * The share (0–1) of the fact's content words that the guess contains
 * (stems, prefixes allowed). With the puzzle's other key facts, each word
 * weighs 1 / (how many key facts use it): a name or object every fact
 * mentions says little about which fact a guess covers. A negated fact
 * ("his pipes did not burst") counts about a third against a guess that negates
 * nothing, below what a judge's yes needs: a plain "the pipes burst" never covers it.
 */
export function lexicalOverlap(fact: string, guess: string, keyFacts: readonly string[] = [fact]): number {
  const factStems = contentStems(fact);
  if (factStems.length === 0) return 0;
  const guessStems = contentStems(guess);
  const others = keyFacts.map(contentStems);
  let total = 0;
  let matched = 0;
  for (const word of factStems) {
    const weight = 1 / Math.max(1, others.filter((stems) => stems.some((s) => sameStem(s, word))).length);
    total += weight;
    if (guessStems.some((g) => sameStem(word, g))) matched += weight;
  }
  const share = matched / total;
  return NEGATION.test(fact) && !NEGATION.test(guess) ? share * NEGATION_MISMATCH : share;
}
