/**
 * Which options each command (and sub-command) takes, beyond the global ones.
 * An option given to a command it does not apply to is refused (exit 2) rather
 * than silently ignored: `tandem models list --k 3` is a mistake worth saying.
 * A sub-command missing here gets the union of its command's options (the
 * command then reports the unknown sub-command itself).
 */
export const GLOBAL_OPTIONS: readonly string[] = ['data-dir', 'models-dir', 'help', 'version'];

export const COMMAND_OPTIONS: Record<string, Record<string, readonly string[]>> = {
  serve: { '': ['port', 'host', 'allow-remote', 'api', 'api-key', 'cors'] },
  chat: { '': ['model', 'max-tokens'] },
  providers: { add: ['preset', 'base-url', 'api-key-env'], list: [], test: [], remove: [] },
  mcp: { add: ['env', 'secret-env', 'cwd', 'url', 'header'], import: [], list: [], rm: [], tools: [], call: [], login: [], logout: [] },
  'mcp-server': { '': [] },
  models: { list: ['json'], inspect: ['context-size', 'json'], catalog: ['json'], pull: [], rm: [] },
  index: { '': ['name', 'local-only'] },
  search: { '': ['k', 'mode', 'json'], eval: ['collection', 'k', 'mode', 'json'] },
  collections: { list: ['json'], rm: [] },
  route: { '': ['priority', 'collection', 'json'], learn: [], eval: ['train', 'test', 'priority', 'json'] },
  budget: { show: ['json'], set: ['daily', 'monthly', 'provider', 'chat-tokens', 'alert-at', 'json'] },
  usage: { '': ['since', 'until', 'by', 'json'] },
  lab: { run: ['models', 'runs', 'parallel', 'json'] },
  'api-keys': { add: ['rpm', 'daily-tokens', 'daily-usd', 'json'], list: ['json'], rotate: [], revoke: [] },
  cache: { stats: ['json'], clear: ['json'] },
  runtime: { info: ['json'], build: [], use: [] },
  soup: { list: ['json'], play: ['model'], ask: ['model', 'json'], guess: ['model', 'json'], eval: ['model', 'json', 'export'] },
};

/** The sub-command an invocation names, as the table keys it ('' for commands without sub-commands). */
function subCommandOf(command: string, rest: readonly string[]): string {
  const table = COMMAND_OPTIONS[command]!;
  if ('' in table && Object.keys(table).length === 1) return '';
  const first = rest[0];
  if (command === 'route') return first === 'learn' || first === 'eval' ? first : '';
  if (command === 'budget') return first ?? 'show';
  if (command === 'cache') return first ?? 'stats';
  if (command === 'collections') return first ?? 'list';
  if (command === 'search') return isSearchEval(rest) ? 'eval' : '';
  return first ?? '';
}

/**
 * The first option that does not apply to this command, with the line to
 * print: "unknown option --k for `tandem models list`". Null when all apply
 * (or the command is unknown: main reports that).
 */
export function optionNotApplying(command: string, rest: readonly string[], optionNames: readonly string[]): string | null {
  const table = COMMAND_OPTIONS[command];
  if (!table) return null;
  const sub = subCommandOf(command, rest);
  const allowed = new Set([...GLOBAL_OPTIONS, ...(table[sub] ?? Object.values(table).flat())]);
  const wrong = optionNames.find((name) => !allowed.has(name));
  if (wrong === undefined) return null;
  const label = table[sub] && sub !== '' ? `tandem ${command} ${sub}` : `tandem ${command}`;
  return `unknown option --${wrong} for \`${label}\``;
}

/**
 * `tandem search eval QA.jsonl` rather than a search of a collection named
 * "eval": the second word names a .jsonl/.json file (or is missing).
 */
export function isSearchEval(rest: readonly string[]): boolean {
  return rest[0] === 'eval' && (rest.length === 1 || (rest.length === 2 && /\.(jsonl|ndjson|json)$/i.test(rest[1]!)));
}
