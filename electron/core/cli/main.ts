import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { defaultDataDir } from '../app/data-dir';
import { runServe } from './serve-command';
import { runChat } from './chat-command';
import { runProviders } from './providers-command';
import { runModels } from './models-command';
import { runMcp } from './mcp-command';
import { runMcpAuth } from './mcp-auth-command';
import { runIndex } from './index-command';
import { runSearch } from './search-command';
import { runSearchEvalCommand } from './search-eval-command';
import { runCollections } from './collections-command';
import { runRoute } from './route-command';
import { runCache } from './cache-command';
import { runBudget } from './budget-command';
import { runUsage } from './usage-command';
import { runLab } from './lab-command';
import { runMcpServer } from './mcp-server-command';
import { runApiKeys } from './api-keys-command';
import { runSoup } from './soup-command';
import { runRuntime } from './runtime-command';
import { COMMAND_OPTIONS, isSearchEval, optionNotApplying } from './command-options';
import { checkDataDir } from './open-cli-core';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

const HELP = `Tandem — local-first hybrid LLM workbench

Usage:
  tandem [global options] <command> [options]

Commands:
  serve                     Start the backend headless and serve the UI on loopback
      --port N              Port (default: a free one)
      --host HOST           Interface to bind (default: 127.0.0.1; another needs --allow-remote)
      --allow-remote        Allow a --host other machines can reach (prints a warning)
      --api                 Also serve Tandem's OpenAI- and Anthropic-compatible API and MCP
                            (/v1/…, /mcp) on the same port; prints "Tandem API at URL"
      --api-key KEY         The API key clients send (default: env TANDEM_API_KEY, else the
                            named keys; with none, one is made and shown once on stderr)
      --cors ORIGIN,...     Browser origins allowed to call the API (default: none)
  chat --model FILE_OR_ID "prompt"
                            Stream a model's answer to stdout (Ctrl-C stops it);
                            PROVIDER/MODEL picks a cloud model; auto lets Tandem pick
                            (the model that answered is named on stderr)
      --max-tokens N        Stop after N tokens
  providers add NAME [--preset P] [--base-url URL] [--api-key-env VAR]
                            Add a cloud or OpenAI-compatible provider
  providers list            Show providers (keys masked)
  providers test NAME       List the provider's models: checks URL and key
  providers remove NAME     Forget a provider
  models list               Every .gguf in the models folders: architecture, parameters, quantization, context, size
  models inspect FILE_OR_ID Details of one model and whether it fits this machine
      --context-size N      Estimate the fit at this context size
      --json                Print JSON instead of text
  models catalog            Recommended models to download, with a fit estimate for this machine
  models pull URI|CATALOG_ID
                            Download a model (hf:user/repo:QUANT, hf:user/repo/file.gguf, an
                            http(s) URL or a catalog id); Ctrl-C pauses, running it again resumes
  models rm ID              Delete a model file from the models folders
  mcp add NAME [--env K=V]... [--secret-env K=V]... [--cwd DIR] -- COMMAND [ARGS...]
                            Add a stdio MCP server (secret values are stored encrypted)
  mcp add NAME --url URL [--header K=V]...
                            Add an HTTP MCP server (streamable HTTP, falling back to SSE)
  mcp import FILE           Add the servers of a claude_desktop_config.json or mcp.json
  mcp list                  Show MCP servers: name, transport, state, tool count
  mcp rm NAME               Forget an MCP server
  mcp tools NAME            Start the server and list its tools
  mcp call NAME TOOL 'JSON' Start the server, call a tool, print its result
  mcp login NAME            Sign in to an HTTP server (OAuth): prints the link, opens the browser,
                            waits for the redirect, prints "Connected as …" or "Authorized"
  mcp logout NAME           Sign out: forget the server's tokens and registration
  mcp-server                Run Tandem as an MCP server on stdio (for Claude Desktop, IDEs, agents):
                            routing, cost, generate, models, documents, benchmark and usage tools
  index FOLDER              Index a folder (or file) into a collection for search and chat;
                            running it again re-indexes only what changed
      --name COLLECTION     Collection name (default: the folder's name)
      --local-only          Its content never goes to cloud models
  search COLLECTION "query" Search a collection
      --k N                 Number of results (default: 10)
      --mode MODE           keyword, semantic or hybrid (default: the setting, hybrid)
      --json                Print [{path, page, heading, snippet, score}] as JSON
  search eval QA.jsonl      Measure retrieval: hit@1, hit@3, hit@10 and MRR per mode over questions
                            ({"q", "file", "pages"} per line), with the misses listed
      --collection C        Search only collection C (default: every collection)
      --k N                 Results read per question (default: 10)
      --mode MODE           Only this mode (default: keyword, semantic and hybrid)
      --json                Print the scores and misses as JSON
  collections list          Collections with their files, chunks and failures
  collections rm NAME       Delete a collection's index (never the files)
  route "prompt"            What Auto would do with a prompt: the model, the ranked
                            candidates and every exclusion (nothing is sent)
      --priority P          balanced, speed, cost, quality or privacy
      --collection C        As if collection C were attached
      --json                Print the decision as JSON
  route learn FILE.jsonl    Learn from outcomes ({"prompt", "outcomes": {MODEL: {"score"}}} per line)
  route eval --train A.jsonl --test B.jsonl [--priority P] [--json]
                            Learn from A in memory, predict B: RouteLLM metrics (APGR)
                            and the quality and cost of Auto's choices
  budget [show]             Spending caps, what was spent today and this month (UTC days), what is left
      --json                Print caps and spend as JSON
  budget set [--daily USD] [--monthly USD] [--chat-tokens N] [--alert-at 0.8]
                            Set caps ("none" clears one); --chat-tokens caps tokens per chat on paid models
      --provider NAME       With --daily/--monthly: caps for one provider only
  usage                     Requests, errors, tokens, cost and savings this month, with totals and budget lines
      --since YYYY-MM-DD    First day (default: the 1st of this month, UTC)
      --until YYYY-MM-DD    Last day (default: today)
      --by model|provider|day
                            Group rows (default: model)
      --json                Print the usage summary as JSON
  api-keys add NAME [--rpm N] [--daily-tokens N] [--daily-usd X]
                            Make a key for Tandem's API and MCP server (the secret is shown once);
                            limits: requests per minute, tokens and dollars per UTC day
  api-keys list             Keys: name, prefix, limits, today's use, last used
      --json                Print the keys as JSON
  api-keys rotate NAME_OR_ID
                            A new secret for the key (the old one stops working at once)
  api-keys revoke NAME_OR_ID
                            Delete a key (it stops working at once)
  cache stats               The response cache: entries, size, hits and what they saved
      --json                Print JSON instead of text
  cache clear               Empty the response cache
  lab run SET.jsonl --models A,B
                            Benchmark models on a task set (JSONL: {"prompt", "reference",
                            "grader"} per line): progress on stderr, a table per model
      --runs N              Repetitions of every task (default: 1)
      --parallel N          Calls at once (default: 1; local models always one at a time)
      --json                Print [{modelId, quality, ttftMs, tokensPerSecond, costUsd, errors, ...}]
  soup list                 Turtle Soup puzzles: id, difficulty, title (--json for JSON)
  soup play [PUZZLE] [--model M]
                            Play in the terminal (a random puzzle without PUZZLE): type questions,
                            hint, guess TEXT, reveal or quit; the game is saved
  soup ask PUZZLE "question" --model M [--json]
                            The host's answer: yes, no, irrelevant or yes-and-no (no game saved)
  soup guess PUZZLE "text" --model M [--json]
                            Judge a guess fact by fact: {"solved", "facts": [{"fact", "found"}]}
  soup eval --model M [--json]
                            The host's accuracy on the builtin puzzles' labelled questions
      --export FILE         Write those questions as a lab task set (JSONL; graded exact) for
                            tandem lab run FILE --models A,B
  runtime info              The llama.cpp runtime local models use (prebuilt CPU, Metal, CUDA, Vulkan or
                            built for this computer), CPU features, toolchain, measured threads
      --json                Print JSON instead of text
  runtime build             Build llama.cpp for this computer (needs cmake and a C++ compiler), check it
                            against the prebuilt, and use it from the next model load; Ctrl-C cancels
  runtime use prebuilt|local|auto
                            Choose the runtime (auto: the build for this computer once it passed its check)

Global options:
  --data-dir DIR            App data folder (default: per-user app data; env TANDEM_HOME)
  --models-dir DIR          Folder scanned for .gguf files (repeatable)
  -h, --help                Show this help
  -v, --version             Show the version
`;

export interface GlobalOptions {
  dataDir: string;
  modelsDirs: string[];
  version: string;
}

/** Entry point of the `tandem` bin; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        'data-dir': { type: 'string' },
        'models-dir': { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        model: { type: 'string', short: 'm' },
        'max-tokens': { type: 'string' },
        'base-url': { type: 'string' },
        'api-key-env': { type: 'string' },
        preset: { type: 'string' },
        'context-size': { type: 'string' },
        name: { type: 'string' },
        'local-only': { type: 'boolean' },
        k: { type: 'string' },
        mode: { type: 'string' },
        json: { type: 'boolean' },
        env: { type: 'string', multiple: true },
        'secret-env': { type: 'string', multiple: true },
        cwd: { type: 'string' },
        url: { type: 'string' },
        header: { type: 'string', multiple: true },
        priority: { type: 'string' },
        daily: { type: 'string' },
        monthly: { type: 'string' },
        provider: { type: 'string' },
        'chat-tokens': { type: 'string' },
        'alert-at': { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        by: { type: 'string' },
        collection: { type: 'string' },
        train: { type: 'string' },
        test: { type: 'string' },
        models: { type: 'string' },
        runs: { type: 'string' },
        parallel: { type: 'string' },
        api: { type: 'boolean' },
        'api-key': { type: 'string' },
        'allow-remote': { type: 'boolean' },
        cors: { type: 'string' },
        rpm: { type: 'string' },
        'daily-tokens': { type: 'string' },
        'daily-usd': { type: 'string' },
        export: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    process.stderr.write(`tandem: ${(error as Error).message}\nRun \`tandem --help\` for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  // Options that do not apply to the command are refused, not ignored (`mcp add NAME -- CMD --flag`: the server's own flags are positionals).
  const notApplying = optionNotApplying(command, rest, parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  if (notApplying) {
    process.stderr.write(`tandem: ${notApplying} (see \`tandem --help\`)\n`);
    return 2;
  }
  const global: GlobalOptions = {
    dataDir: values['data-dir'] ?? defaultDataDir(),
    modelsDirs: values['models-dir'] ?? [],
    version: packageVersion(),
  };
  // A data dir that cannot be opened (a file, no permission): one line with what to do, never a stack trace.
  const dataDirProblem = command in COMMAND_OPTIONS ? checkDataDir(global.dataDir) : null;
  if (dataDirProblem) {
    process.stderr.write(`tandem ${command}: ${dataDirProblem}\n`);
    return 1;
  }
  switch (command) {
    case 'serve': {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`tandem serve: --port must be a number from 0 to 65535\n`);
        return 2;
      }
      const apiKey = values['api-key'] ?? (process.env.TANDEM_API_KEY || undefined);
      if (apiKey !== undefined && (apiKey.trim() === '' || apiKey.length > 512)) {
        process.stderr.write('tandem serve: --api-key must be 1 to 512 characters\n');
        return 2;
      }
      if (values['api-key'] !== undefined && !values.api) {
        process.stderr.write('tandem serve: --api-key goes with --api\n');
        return 2;
      }
      if (values.cors !== undefined && !values.api) {
        process.stderr.write('tandem serve: --cors goes with --api\n');
        return 2;
      }
      return runServe(global, {
        port,
        host: values.host ?? '127.0.0.1',
        api: values.api ?? false,
        apiKey,
        allowRemote: values['allow-remote'] ?? false,
        cors: values.cors,
      });
    }
    case 'chat': {
      const maxTokens = values['max-tokens'] === undefined ? undefined : Number(values['max-tokens']);
      if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
        process.stderr.write('tandem chat: --max-tokens must be a positive whole number\n');
        return 2;
      }
      return runChat(global, { model: values.model, prompt: rest.join(' '), maxTokens });
    }
    case 'providers':
      return runProviders(global, rest, { baseUrl: values['base-url'], apiKeyEnv: values['api-key-env'], preset: values.preset });
    case 'mcp': {
      // `tandem mcp add NAME -- COMMAND ARGS…`: what follows `--` is the server's command line, options included.
      const terminator = parsed.tokens.find((t) => t.kind === 'option-terminator');
      const commandLine = terminator ? parsed.tokens.filter((t) => t.kind === 'positional' && t.index > terminator.index).map((t) => (t as { value: string }).value) : null;
      const mcpArgs = commandLine ? rest.slice(0, rest.length - commandLine.length) : rest;
      // [issue 13] `tandem mcp login NAME` / `tandem mcp logout NAME`: OAuth sign-in of an HTTP server.
      if (mcpArgs[0] === 'login' || mcpArgs[0] === 'logout') return runMcpAuth(global, mcpArgs[0], mcpArgs.slice(1));
      return runMcp(global, mcpArgs, { commandLine, env: values.env, secretEnv: values['secret-env'], cwd: values.cwd, url: values.url, header: values.header });
    }
    case 'models': {
      const contextSize = values['context-size'] === undefined ? undefined : Number(values['context-size']);
      if (contextSize !== undefined && (!Number.isInteger(contextSize) || contextSize < 64)) {
        process.stderr.write('tandem models: --context-size must be a whole number of at least 64\n');
        return 2;
      }
      return runModels(global, rest, { json: values.json ?? false, contextSize });
    }
    case 'index':
      return runIndex(global, rest, { name: values.name, localOnly: values['local-only'] ?? false });
    case 'search':
      if (isSearchEval(rest)) {
        return runSearchEvalCommand(global, rest.slice(1), { collection: values.collection, k: values.k, mode: values.mode, json: values.json ?? false });
      }
      return runSearch(global, rest, { k: values.k, mode: values.mode, json: values.json ?? false });
    case 'collections':
      return runCollections(global, rest, { json: values.json ?? false });
    case 'route':
      return runRoute(global, rest, { priority: values.priority, collection: values.collection, json: values.json ?? false, train: values.train, test: values.test });
    case 'cache':
      return runCache(global, rest, { json: values.json ?? false });
    case 'budget':
      return runBudget(global, rest, {
        daily: values.daily,
        monthly: values.monthly,
        provider: values.provider,
        chatTokens: values['chat-tokens'],
        alertAt: values['alert-at'],
        json: values.json ?? false,
      });
    case 'usage':
      if (rest.length > 0) {
        process.stderr.write('tandem usage: takes no arguments, only --since, --until, --by and --json\n');
        return 2;
      }
      return runUsage(global, { since: values.since, until: values.until, by: values.by, json: values.json ?? false });
    case 'mcp-server':
      if (rest.length > 0) {
        process.stderr.write('tandem mcp-server: takes no arguments, only --data-dir and --models-dir\n');
        return 2;
      }
      return runMcpServer(global);
    case 'lab':
      return runLab(global, rest, {
        models: values.models,
        runs: values.runs,
        parallel: values.parallel,
        json: values.json ?? false,
        optionNames: parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])),
      });
    case 'api-keys':
      return runApiKeys(global, rest, { rpm: values.rpm, dailyTokens: values['daily-tokens'], dailyUsd: values['daily-usd'], json: values.json ?? false });
    case 'runtime':
      return runRuntime(global, rest, { json: values.json ?? false });
    case 'soup':
      return runSoup(global, rest, { model: values.model, json: values.json ?? false, export: values.export });
    default:
      process.stderr.write(`tandem: unknown command "${command}"\nRun \`tandem --help\` for usage.\n`);
      return 2;
  }
}
