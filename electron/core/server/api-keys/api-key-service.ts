import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CodedError } from '../../../../shared/ipc/errors';
import type { ApiKeyLimits, ApiKeySummary, ApiRequestLogEntry } from '../../../../shared/ipc/routes/api';
import type { Logger } from '../../app/logger';
import type { ApiCaller, ApiGate, ApiRefusal, ApiRequestRecord, ApiReservation, ApiReservationRequest } from '../api/api-gate';
import { ApiKeyFile, type StoredApiKey } from './api-key-file';
import { ApiRequestLog, type ApiRequestLine } from './api-request-log';
import { checkLimits, emptyDay, MinuteWindow, quotaRefusal, utcDayOf, type DayUsage } from './key-limits';
import { createSecret, hashesEqual, hashSecret, secretPrefix } from './key-secret';

export interface ApiKeyServiceOptions {
  /** `<dataDir>/api`: keys.json and requests.jsonl. */
  dir: string;
  logger?: Logger;
  /** A key was added, rotated, changed or revoked. */
  onKeysChanged?: () => void;
  /** A request was logged (called once per request: throttle it before broadcasting). */
  onRequestLogged?: (entry: ApiRequestLogEntry) => void;
  /** The clock; tests move it. */
  now?: () => number;
}

/** The id and name of the key given on the command line (`--api-key`, `TANDEM_API_KEY`); it is never stored. */
export const COMMAND_LINE_KEY_ID = 'command-line';
export const COMMAND_LINE_KEY_NAME = 'command line';

const NO_LIMITS: ApiKeyLimits = { requestsPerMinute: null, dailyTokens: null, dailyCostUsd: null };

/**
 * The API's keys: named keys stored hashed, each with limits (requests per
 * minute, daily tokens, daily cost; UTC days) and today's use, which is kept
 * in memory and rebuilt at start from the request log. It is the `ApiGate`
 * the HTTP layer asks before and after every request.
 */
export class ApiKeyService implements ApiGate {
  private readonly file: ApiKeyFile;
  readonly log: ApiRequestLog;
  private keys: StoredApiKey[] = [];
  private readonly usage = new Map<string, DayUsage>();
  private readonly windows = new Map<string, MinuteWindow>();
  private readonly lastUsed = new Map<string, string>();
  /** Per key: requests in flight and what they hold against the daily quotas until recorded. */
  private readonly held = new Map<string, { requests: number; tokens: number; costUsd: number }>();
  private commandLine: { hash: string; prefix: string } | null = null;
  /** Changes are written one after another; while one is pending, the file on disk is older than memory. */
  private writing: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyServiceOptions) {
    this.file = new ApiKeyFile(join(options.dir, 'keys.json'));
    this.log = new ApiRequestLog(join(options.dir, 'requests.jsonl'), options.logger);
    this.now = options.now ?? Date.now;
  }

  async init(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    this.keys = this.file.read({ force: true, onProblem: (message) => this.options.logger?.warn(message) }) ?? [];
    const today = utcDayOf(this.now());
    for (const line of await this.log.init()) this.count(line, today);
  }

  /** Named keys with today's use (the command-line key is not listed: it is not stored and cannot be managed). */
  list(): ApiKeySummary[] {
    this.refresh();
    return this.keys.map((key) => this.summary(key));
  }

  /** A key by id, or by name (`tandem api-keys revoke NAME`). */
  find(nameOrId: string): ApiKeySummary | null {
    this.refresh();
    const key = this.keys.find((k) => k.id === nameOrId) ?? this.keys.find((k) => k.name === nameOrId);
    return key ? this.summary(key) : null;
  }

  /** Makes a key; the secret is answered once and only its hash is kept. */
  async add(input: { name: string } & Partial<ApiKeyLimits>): Promise<{ key: ApiKeySummary; secret: string }> {
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw new CodedError('INVALID_INPUT', 'A key needs a name of 1 to 100 characters');
    if (name === COMMAND_LINE_KEY_NAME) throw new CodedError('CONFLICT', `"${COMMAND_LINE_KEY_NAME}" is the name of the key given with --api-key; choose another name`);
    return this.change(() => {
      if (this.keys.some((k) => k.name === name)) throw new CodedError('CONFLICT', `There is already an API key named "${name}"; choose another name or rotate that key`);
      const secret = createSecret();
      const key: StoredApiKey = {
        id: `key_${randomBytes(6).toString('hex')}`,
        name,
        prefix: secretPrefix(secret),
        hash: hashSecret(secret),
        createdAt: new Date(this.now()).toISOString(),
        lastUsedAt: null,
        ...limitsOf(input, NO_LIMITS),
      };
      this.keys = [...this.keys, key];
      return { key: this.summary(key), secret };
    });
  }

  /** A new secret for the key; the old one stops working at once. Name, limits and today's use stay. */
  async rotate(nameOrId: string): Promise<{ key: ApiKeySummary; secret: string }> {
    return this.change(() => {
      const key = this.mustFind(nameOrId);
      const secret = createSecret();
      const next = { ...key, prefix: secretPrefix(secret), hash: hashSecret(secret) };
      this.keys = this.keys.map((k) => (k.id === key.id ? next : k));
      return { key: this.summary(next), secret };
    });
  }

  /** Changes a key's limits (undefined: as it is; null: none). */
  async update(nameOrId: string, limits: Partial<ApiKeyLimits>): Promise<ApiKeySummary> {
    return this.change(() => {
      const key = this.mustFind(nameOrId);
      const next = { ...key, ...limitsOf(limits, key) };
      this.keys = this.keys.map((k) => (k.id === key.id ? next : k));
      return this.summary(next);
    });
  }

  /** Forgets a key; its secret stops working at once. */
  async revoke(nameOrId: string): Promise<void> {
    await this.change(() => {
      const key = this.mustFind(nameOrId);
      this.keys = this.keys.filter((k) => k.id !== key.id);
      this.windows.delete(key.id);
    });
  }

  /** The key given with `--api-key` or `TANDEM_API_KEY` (null: none): it works like a named key without limits, and is never stored. */
  setCommandLineKey(secret: string | null): void {
    this.commandLine = secret ? { hash: hashSecret(secret), prefix: secretPrefix(secret) } : null;
  }

  get hasCommandLineKey(): boolean {
    return this.commandLine !== null;
  }

  authenticate(secret: string | null): ApiCaller | null {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 512) return null;
    this.refresh();
    const hash = hashSecret(secret);
    // Every stored hash is compared, in constant time, so timing tells nothing about which (or whether one) matched.
    let found: StoredApiKey | null = null;
    for (const key of this.keys) if (hashesEqual(key.hash, hash) && !found) found = key;
    if (found) return { keyId: found.id, keyName: found.name };
    if (this.commandLine && hashesEqual(this.commandLine.hash, hash)) return { keyId: COMMAND_LINE_KEY_ID, keyName: COMMAND_LINE_KEY_NAME };
    return null;
  }

  admit(caller: ApiCaller): ApiRefusal | null {
    const key = this.keys.find((k) => k.id === caller.keyId);
    const now = this.now();
    return checkLimits({ keyName: caller.keyName, limits: key ?? NO_LIMITS, today: this.withHeld(caller.keyId, now), window: this.windowOf(caller.keyId), now });
  }

  /**
   * Holds a request's worst case (prompt estimate + max tokens; the cost
   * estimate for a key with a cost quota) until it is recorded, and clamps
   * its max tokens to what the daily token quota has left after today's use
   * and the other requests in flight.
   */
  async reserve(caller: ApiCaller, want: ApiReservationRequest): Promise<ApiReservation | ApiRefusal> {
    const limits = this.keys.find((k) => k.id === caller.keyId) ?? NO_LIMITS;
    const cost = limits.dailyCostUsd !== null ? await want.estimateCostUsd().catch(() => null) : null;
    // From here on nothing awaits: checking and holding are one step.
    const now = this.now();
    const held = this.heldOf(caller.keyId);
    const today = this.withHeld(caller.keyId, now);
    const busy = held.requests > 0;
    let maxTokens = want.maxTokens;
    const promptTokens = Math.max(0, Math.ceil(want.promptTokens));
    if (limits.dailyTokens !== null) {
      const forAnswer = limits.dailyTokens - today.tokens - promptTokens;
      if (forAnswer < 1) {
        return quotaRefusal(caller.keyName, limits, today, now, busy, `this request's prompt (about ${promptTokens} tokens) and an answer do not fit in what is left`);
      }
      maxTokens = Math.min(maxTokens, forAnswer);
    }
    if (limits.dailyCostUsd !== null && today.costUsd + (cost ?? 0) > limits.dailyCostUsd && (cost ?? 0) > 0) {
      return quotaRefusal(caller.keyName, limits, today, now, busy, `this request's estimated cost ($${(cost ?? 0).toFixed(4)}) is more than what is left`);
    }
    const hold = { tokens: limits.dailyTokens !== null ? promptTokens + maxTokens : 0, costUsd: cost ?? 0 };
    held.requests += 1;
    held.tokens += hold.tokens;
    held.costUsd += hold.costUsd;
    let released = false;
    return {
      maxTokens,
      release: () => {
        if (released) return;
        released = true;
        held.requests -= 1;
        held.tokens -= hold.tokens;
        held.costUsd -= hold.costUsd;
        if (held.requests <= 0) this.held.delete(caller.keyId);
      },
    };
  }

  /** Requests of a key in flight now (answers that hold part of its quotas). */
  inFlight(keyId: string): number {
    return this.held.get(keyId)?.requests ?? 0;
  }

  record(caller: ApiCaller | null, entry: ApiRequestRecord, options: { persist?: boolean } = {}): void {
    const line: ApiRequestLine = { ...entry, keyName: caller?.keyName ?? null, keyId: caller?.keyId ?? null };
    // Requests refused at the door (bad key, Host, Origin, limits) are kept in memory only: a flood of them cannot fill the disk.
    if (options.persist === false) this.log.remember(line);
    else this.log.append(line);
    this.count(line, utcDayOf(this.now()));
    const { keyId: _keyId, ...listed } = line;
    this.options.onRequestLogged?.(listed);
  }

  /** The latest API requests, newest first. */
  requests(limit?: number): ApiRequestLogEntry[] {
    return this.log.recent(limit);
  }

  /** Writes what is pending (the log, last-used times); the service stays usable. */
  async flush(): Promise<void> {
    await this.writing;
    await this.log.flush();
  }

  async dispose(): Promise<void> {
    await this.writing;
    // Last-used times live in memory and in the log; keys.json keeps them too, for keys not used within the log's replayed tail.
    if (this.keys.some((k) => (this.lastUsed.get(k.id) ?? '') > (k.lastUsedAt ?? ''))) {
      await this.change(() => undefined, false).catch((error: Error) => this.options.logger?.warn(`could not save API key use times: ${error.message}`));
    }
    await this.log.flush();
  }

  private summary(key: StoredApiKey): ApiKeySummary {
    const today = this.today(key.id, this.now());
    const used = this.lastUsed.get(key.id) ?? null;
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      createdAt: key.createdAt,
      lastUsedAt: used !== null && used > (key.lastUsedAt ?? '') ? used : key.lastUsedAt,
      requestsPerMinute: key.requestsPerMinute,
      dailyTokens: key.dailyTokens,
      dailyCostUsd: key.dailyCostUsd,
      today: { requests: today.requests, tokens: today.tokens, costUsd: today.costUsd },
    };
  }

  private mustFind(nameOrId: string): StoredApiKey {
    const key = this.keys.find((k) => k.id === nameOrId) ?? this.keys.find((k) => k.name === nameOrId);
    if (!key) throw new CodedError('NOT_FOUND', `No API key named or with id "${nameOrId}"`);
    return key;
  }

  /** Re-reads keys.json when another process changed it (never while a change of ours is being written). */
  private refresh(): void {
    if (this.pendingWrites > 0) return;
    try {
      const keys = this.file.read({ onProblem: (message) => this.options.logger?.warn(message) });
      if (keys) this.keys = keys;
    } catch (error) {
      this.options.logger?.warn(`could not read ${this.file.path}: ${(error as Error).message}`);
    }
  }

  /**
   * One change to the keys: the newest file is read, the change applied in
   * memory at once (so a revoked secret fails from the next request on),
   * then written; changes are written one after another.
   */
  private async change<T>(apply: () => T, notify = true): Promise<T> {
    const run = this.writing.then(async () => {
      this.refresh();
      const result = apply();
      this.pendingWrites += 1;
      try {
        await this.file.write(this.keys.map((k) => ({ ...k, lastUsedAt: this.summary(k).lastUsedAt })));
      } finally {
        this.pendingWrites -= 1;
      }
      return result;
    });
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    const result = await run;
    if (notify) this.options.onKeysChanged?.();
    return result;
  }

  private today(keyId: string, now: number): DayUsage {
    const day = utcDayOf(now);
    let usage = this.usage.get(keyId);
    if (!usage || usage.day !== day) {
      usage = emptyDay(day);
      this.usage.set(keyId, usage);
    }
    return usage;
  }

  private heldOf(keyId: string): { requests: number; tokens: number; costUsd: number } {
    let held = this.held.get(keyId);
    if (!held) {
      held = { requests: 0, tokens: 0, costUsd: 0 };
      this.held.set(keyId, held);
    }
    return held;
  }

  /** Today's use plus what the requests in flight hold. */
  private withHeld(keyId: string, now: number): DayUsage {
    const today = this.today(keyId, now);
    const held = this.held.get(keyId);
    return held ? { ...today, tokens: today.tokens + held.tokens, costUsd: today.costUsd + held.costUsd } : today;
  }

  private windowOf(keyId: string): MinuteWindow {
    let window = this.windows.get(keyId);
    if (!window) {
      window = new MinuteWindow();
      this.windows.set(keyId, window);
    }
    return window;
  }

  /** Adds a logged request to its key's use: today's counters (when it is from `today`) and the last-used time. */
  private count(line: ApiRequestLine, today: string): void {
    if (line.keyId === null) return;
    if ((this.lastUsed.get(line.keyId) ?? '') < line.at) this.lastUsed.set(line.keyId, line.at);
    const at = Date.parse(line.at);
    if (!Number.isFinite(at) || utcDayOf(at) !== today) return;
    const usage = this.usage.get(line.keyId);
    const current = usage && usage.day === today ? usage : emptyDay(today);
    current.requests += 1;
    current.tokens += line.inputTokens + line.outputTokens;
    current.costUsd += line.costUsd;
    this.usage.set(line.keyId, current);
  }
}

function limitsOf(input: Partial<ApiKeyLimits>, fallback: ApiKeyLimits): ApiKeyLimits {
  return {
    requestsPerMinute: input.requestsPerMinute === undefined ? fallback.requestsPerMinute : input.requestsPerMinute,
    dailyTokens: input.dailyTokens === undefined ? fallback.dailyTokens : input.dailyTokens,
    dailyCostUsd: input.dailyCostUsd === undefined ? fallback.dailyCostUsd : input.dailyCostUsd,
  };
}
