import { z } from 'zod';
import { ApiRequestLogEntrySchema, type ApiRequestLogEntry } from '../../../../shared/ipc/routes/api';
import type { Logger } from '../../app/logger';
import { JsonlLog } from '../../routing/jsonl-log';

/** A line of `api/requests.jsonl`: the entry as listed, plus the key's id (names can repeat after a revoke). */
export const ApiRequestLineSchema = ApiRequestLogEntrySchema.extend({ keyId: z.string().nullable() });
export type ApiRequestLine = z.infer<typeof ApiRequestLineSchema>;

/** How many entries `api.requests` can list (the contract's maximum). */
const KEPT = 1000;
/**
 * How much of the file is replayed at start. Today's lines are at its end;
 * 64 MiB is some 300,000 requests, more than any key's day here.
 */
const REPLAY_TAIL_BYTES = 64 * 1024 * 1024;

/**
 * The API's request log: append-only JSONL (a torn last line is skipped and
 * the next append starts a fresh line), with the newest entries in memory.
 */
export class ApiRequestLog {
  private readonly log: JsonlLog<ApiRequestLine>;
  private readonly newest: ApiRequestLine[] = [];

  constructor(
    readonly path: string,
    private readonly logger?: Logger,
  ) {
    this.log = new JsonlLog(path, ApiRequestLineSchema, (error) => this.logger?.warn(`could not write the API request log ${path}: ${error.message}`));
  }

  /** Reads the file's recent history; answers its lines, oldest first. */
  async init(): Promise<ApiRequestLine[]> {
    const { records, problems } = await this.log.replay({ tailBytes: REPLAY_TAIL_BYTES });
    if (problems.length > 0) this.logger?.warn(`${problems.length} damaged line(s) in the API request log were skipped: ${problems.slice(0, 3).join('; ')}`);
    this.newest.push(...records.slice(-KEPT));
    return records;
  }

  append(line: ApiRequestLine): void {
    this.log.append(line);
    this.remember(line);
  }

  /** Keeps a line among the recent ones without writing it (requests refused at the door). */
  remember(line: ApiRequestLine): void {
    this.newest.push(line);
    if (this.newest.length > KEPT * 2) this.newest.splice(0, this.newest.length - KEPT);
  }

  /** The latest entries, newest first. */
  recent(limit = 100): ApiRequestLogEntry[] {
    const out: ApiRequestLogEntry[] = [];
    for (let i = this.newest.length - 1; i >= 0 && out.length < Math.min(limit, KEPT); i--) {
      const { keyId: _keyId, ...entry } = this.newest[i] as ApiRequestLine;
      out.push(entry);
    }
    return out;
  }

  flush(): Promise<void> {
    return this.log.flush();
  }
}
