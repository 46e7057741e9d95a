import { stemmer } from 'stemmer';

/**
 * The stop words of the full-text index's English tokenizer (LanceDB 0.39:
 * NLTK's English list; checked word by word against the index), dropped here
 * before stemming, so question words such as "how", "why", "does" or "only"
 * never count as terms a chunk has to contain.
 */
const STOP_WORDS = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having ' +
    'do does did doing a an the and but if or because as until while of at by for with about against between into through during before ' +
    'after above below to from up down in out on off over under again further then once here there when where why how all any both each ' +
    'few more most other some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y ain aren ' +
    'couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn'
  ).split(' '),
);

/** One word of a text: its stem and its position among the text's words (stop words included). */
export interface Token {
  stem: string;
  position: number;
}

/**
 * The words of `text` as the full-text index sees them: split at anything
 * that is not a letter or digit, lower case, accents folded, stop words
 * dropped, the rest stemmed (Porter).
 */
export function analyze(text: string): Token[] {
  const tokens: Token[] = [];
  words(text).forEach((word, position) => {
    if (!STOP_WORDS.has(word)) tokens.push({ stem: stemWord(word), position });
  });
  return tokens;
}

/** The words of `text`: lower case, accents folded, split at anything that is not a letter or digit. */
function words(text: string): string[] {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Porter stem of an English word; words with digits or other scripts are kept as they are. */
function stemWord(word: string): string {
  return /^[a-z]+$/.test(word) ? stemmer(word) : word;
}

/** A collection's document frequencies: in how many chunks each stem occurs. */
export interface TermStats {
  /** Chunks counted. */
  docs: number;
  /** Chunks containing each stem. */
  df: Map<string, number>;
}

/** Counts each stem's document frequency over `texts` (each distinct word of a chunk is stemmed once per scan). */
export function countTerms(texts: Iterable<string>, into: TermStats = { docs: 0, df: new Map() }): TermStats {
  const stems = new Map<string, string | null>();
  for (const text of texts) {
    into.docs++;
    const seen = new Set<string>();
    for (const word of new Set(words(text))) {
      let stem = stems.get(word);
      if (stem === undefined) {
        stem = STOP_WORDS.has(word) ? null : stemWord(word);
        if (stems.size < 1_000_000) stems.set(word, stem);
      }
      if (stem !== null && !seen.has(stem)) {
        seen.add(stem);
        into.df.set(stem, (into.df.get(stem) ?? 0) + 1);
      }
    }
  }
  return into;
}

/** BM25's inverse document frequency over one or more collections (Robertson–Spärck Jones, +1 inside the log so it is never negative). */
export function idf(stats: readonly TermStats[], stem: string): number {
  let docs = 0;
  let df = 0;
  for (const s of stats) {
    docs += s.docs;
    df += s.df.get(stem) ?? 0;
  }
  return Math.log(1 + (docs - df + 0.5) / (df + 0.5));
}

/**
 * Weight of the phrase score against BM25 (scaled so the best candidate has 1).
 * Measured on tests/fixtures/docs-qa (52 questions, keyword, first answer key):
 * 0.3 → 0.8 all gave hit@3 37–39 of 52 against 36 without; 0.5 is the middle
 * (docs/documents.md).
 */
export const PHRASE_WEIGHT = 0.5;
/**
 * What a table of contents or an index keeps of its score: such a page names the
 * question's words but only points at the page that answers (measured on
 * tests/fixtures/docs-qa: hit@10 45 → 46 of 52, MRR 0.681 → 0.684; 0.7, 0.5 and 0 the same).
 */
const NAVIGATION_FACTOR = 0.5;
/** A table of contents or an index: dot leaders ("Grid . . . . . 154") on at least two lines. */
export function isNavigation(text: string): boolean {
  return (text.match(/(?:\. ?){6,}/g) ?? []).length >= 2;
}
/** BM25's k1: how fast repeats of a phrase stop adding to its score. */
const PHRASE_K1 = 1.2;

/** Adjacent pairs of the query's terms (at most one stop word between them in the query), each weighted by its two IDFs. */
function queryPairs(query: string, stats: readonly TermStats[]): { first: string; second: string; weight: number }[] {
  const tokens = analyze(query);
  const pairs: { first: string; second: string; weight: number }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++) {
    const [a, b] = [tokens[i]!, tokens[i + 1]!];
    if (b.position - a.position > 2 || a.stem === b.stem || seen.has(`${a.stem} ${b.stem}`)) continue;
    seen.add(`${a.stem} ${b.stem}`);
    pairs.push({ first: a.stem, second: b.stem, weight: idf(stats, a.stem) + idf(stats, b.stem) });
  }
  return pairs;
}

/**
 * How much of the query's phrasing the text repeats, 0..1: for each adjacent
 * pair of query terms, how often the text has the two words side by side in
 * the same order (saturating like BM25's term frequency), weighted by the
 * pair's IDF. The ordered-window feature of the sequential dependence model
 * (Metzler & Croft, SIGIR 2005): "grid lines", "missing values" or "last
 * argument" said together is better evidence than the same words apart.
 */
export function phraseScore(text: string, pairs: readonly { first: string; second: string; weight: number }[]): number {
  const total = pairs.reduce((sum, p) => sum + p.weight, 0);
  if (total <= 0) return 0;
  const wanted = new Map(pairs.map((p, i) => [`${p.first} ${p.second}`, i]));
  const counts = new Array<number>(pairs.length).fill(0);
  const tokens = analyze(text);
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (tokens[i + 1]!.position !== tokens[i]!.position + 1) continue;
    const at = wanted.get(`${tokens[i]!.stem} ${tokens[i + 1]!.stem}`);
    if (at !== undefined) counts[at]!++;
  }
  return pairs.reduce((sum, p, i) => sum + (p.weight * counts[i]!) / (counts[i]! + PHRASE_K1), 0) / total;
}

/**
 * Weight of a file-name match: the question names the manual or program
 * ("… in gnuplot", "the bash prompt", "… in R") and the chunk's file is named
 * after it. No change on tests/fixtures/docs-qa (0.1 → 0.5); on 8 questions
 * that name their program (written for this check) hit@3 4 → 5 of 8, MRR
 * 0.47 → 0.56 at 0.3 and 0.5.
 */
export const FILE_NAME_WEIGHT = 0.3;

/** Whether a word of the query (not a stop word) is a word of the file's name, or starts one (three letters or more: "bash" → bashref.pdf). */
export function namesFile(path: string, query: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? path;
  const nameWords = words(base.replace(/\.[^.]*$/, ''));
  return words(query).some((w) => !STOP_WORDS.has(w) && nameWords.some((n) => n === w || (w.length >= 3 && n.startsWith(w))));
}

/**
 * Reorders BM25 candidates: BM25 (scaled so the best candidate has 1), plus
 * `PHRASE_WEIGHT` × the phrase score, plus `FILE_NAME_WEIGHT` when the query
 * names the chunk's file; a table of contents or an index keeps
 * `NAVIGATION_FACTOR` of that. BM25 scores a bag of words; the phrase score
 * rewards a passage that says the question's word pairs as it does.
 */
export function lexicalRerank<T extends { text: string; score: number; path?: string }>(query: string, candidates: readonly T[], stats: readonly TermStats[]): { item: T; score: number }[] {
  const pairs = queryPairs(query, stats);
  const top = Math.max(0, ...candidates.map((c) => c.score));
  const named = new Map<string, boolean>();
  const namesItsFile = (path: string | undefined) => {
    if (!path) return false;
    let hit = named.get(path);
    if (hit === undefined) named.set(path, (hit = namesFile(path, query)));
    return hit;
  };
  return candidates
    .map((item) => {
      const score = (top > 0 ? item.score / top : 0) + (pairs.length > 0 ? PHRASE_WEIGHT * phraseScore(item.text, pairs) : 0) + (namesItsFile(item.path) ? FILE_NAME_WEIGHT : 0);
      return { item, score: score * (isNavigation(item.text) ? NAVIGATION_FACTOR : 1) };
    })
    .sort((a, b) => b.score - a.score);
}

/** Shortest part of a query word that may start a compound ("log" of "logarithmic"). */
const MIN_PART = 3;
/** Chunks a compound must occur in to be believed a word of the collection, not a typo or an identifier. */
const MIN_COMPOUND_DF = 2;

/**
 * Words the collection writes where the query has two ("logarithmic
 * scaling" → "logscale", "data file" → "datafile", "host name" →
 * "hostname") or one where the query has two ("filename" → "file name").
 * A compound joins two adjacent query words: the first whole, stemmed or cut
 * to an abbreviation (three letters up to half the word: "log" of
 * "logarithmic"), the second whole or stemmed; it counts when at least two
 * chunks of the collection contain it. A query word the collection never
 * writes is split into two words it does write. Found in the collection's
 * own vocabulary (`stats`), so a manual's abbreviations and run-together
 * option names are reached without a synonym list.
 */
export function compoundExpansions(query: string, stats: readonly TermStats[]): string[] {
  const stem = stemWord;
  const df = (word: string) => stats.reduce((n, s) => n + (s.df.get(stem(word)) ?? 0), 0);
  const raw = words(query);
  const known = new Set(raw.filter((w) => !STOP_WORDS.has(w)).map(stem));
  const out = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i++) {
    const [a, b] = [raw[i]!, raw[i + 1]!];
    if (STOP_WORDS.has(a) || STOP_WORDS.has(b) || !/^[a-z]+$/.test(a + b)) continue;
    const firsts = new Set([a, stem(a)]);
    for (let x = MIN_PART; x <= a.length / 2; x++) firsts.add(a.slice(0, x));
    const seconds = new Set([b, stem(b)]);
    let best: { word: string; df: number } | null = null;
    for (const first of firsts) {
      for (const second of seconds) {
        const word = first + second;
        const n = df(word);
        if (n >= MIN_COMPOUND_DF && !known.has(stem(word)) && (!best || n > best.df)) best = { word, df: n };
      }
    }
    if (best) out.add(best.word);
  }
  for (const w of raw) {
    if (STOP_WORDS.has(w) || !/^[a-z]+$/.test(w) || w.length < 2 * MIN_PART || df(w) > 0) continue;
    for (let x = MIN_PART; x <= w.length - MIN_PART; x++) {
      const [left, right] = [w.slice(0, x), w.slice(x)];
      if (!STOP_WORDS.has(left) && !STOP_WORDS.has(right) && df(left) > 0 && df(right) > 0) {
        out.add(`${left} ${right}`);
        break;
      }
    }
  }
  return [...out];
}
