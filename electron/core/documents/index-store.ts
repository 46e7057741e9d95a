import type * as lancedb from '@lancedb/lancedb';
import { Bool, Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from 'apache-arrow';
import type { DocumentType } from '../../../shared/ipc/routes/documents';
import { CodedError } from '../../../shared/ipc/errors';
import { countTerms, type TermStats } from './lexical-rerank';

/**
 * One row per chunk. Text columns the search returns are plain columns; the
 * heading path is JSON in a string column (read back whole, never queried).
 */
export interface ChunkRow {
  id: string;
  path: string;
  type: DocumentType;
  /** 0 when the chunk has no page (Arrow nulls in an Int32 column read back fine, but 0 keeps filters simple). */
  page: number;
  headingPath: string[];
  ordinal: number;
  text: string;
  charStart: number;
  charEnd: number;
  contentHash: string;
  fileHash: string;
  localOnly: boolean;
  /** "Slide 4", "Sheet Budget, rows 2–41"...: where the chunk sits when a page does not say it; null for none ('' in the column). */
  location?: string | null;
  /** The text was read by OCR. */
  ocr?: boolean;
  vector?: number[];
}

export interface StoredHit {
  row: ChunkRow;
  /** BM25 for keyword search; cosine similarity (1 − distance) for vectors. */
  score: number;
}

/** What a search hit shows: the columns searches read (fewer columns read faster: ~0.25 ms per column per query at 100k rows). */
export type HitRow = Pick<ChunkRow, 'id' | 'path' | 'type' | 'page' | 'headingPath' | 'text' | 'charStart' | 'charEnd' | 'localOnly' | 'location' | 'ocr'>;

/** A search candidate before its columns are read: LanceDB's row id (valid for the table version searched), the chunk id and the score. */
export interface RowRef {
  rowId: bigint;
  id: string;
  /** BM25 for keyword search; cosine similarity (1 − distance) for vectors. */
  score: number;
}

export interface RowFilter {
  pathPrefix?: string;
  types?: readonly DocumentType[];
}

/**
 * Rows at which the vector column gets an ANN index. Measured here (384-d,
 * cosine, top 40, two busy cores): brute force p50 26 ms at 10k rows, 90 ms
 * at 50k, 218 ms at 100k; with IVF_PQ at 20k rows p50 9 ms (build 50 s,
 * HNSW_SQ 43 s, p50 10 ms but p95 92 ms). So past 10k rows brute force misses
 * a 30 ms budget and the index pays for itself.
 */
export const ANN_INDEX_MIN_ROWS = 10_000;
/** Candidates re-ranked with full vectors after the PQ search (recall). */
const REFINE_FACTOR = 4;
/**
 * The full-text index, named after its tokenizer options: a table whose index
 * has another name was built with other options and gets a new one when it is
 * opened (`upgrade`). v1 (`text_idx`, LanceDB's defaults) → `text_en_v2`:
 * English stemming and stop words, ASCII folding, lower case. Measured with
 * `tandem search eval` on tests/fixtures/docs-qa (52 questions, keyword):
 * see docs/documents.md.
 */
const FTS_INDEX = 'text_en_v2';
/** Weight of query expansions (compounds of the query's words) against the words as typed. */
export const EXPANSION_BOOST = 0.5;
/** Full-text indices of earlier versions, dropped when the current one is built. */
const OLD_FTS_INDICES = ['text_idx'];
/** What `keyword`/`vector` read back: everything but the vector. */
const ROW_COLUMNS = ['id', 'path', 'type', 'page', 'headingPath', 'ordinal', 'text', 'charStart', 'charEnd', 'contentHash', 'fileHash', 'localOnly', 'location', 'ocr'];
/** What searches read back for a hit (`HitRow`). */
const HIT_COLUMNS = ['id', 'path', 'type', 'page', 'headingPath', 'text', 'charStart', 'charEnd', 'localOnly', 'location', 'ocr'];
/** Columns added after the first tables were written, with the SQL that fills them in an older table. */
const ADDED_COLUMNS = [
  { name: 'location', valueSql: "''" },
  { name: 'ocr', valueSql: 'false' },
];
const VECTOR_INDEX = 'vector_idx';

/**
 * The LanceDB side of the documents index: one chunks table per collection
 * (`chunks_<collectionId>`), because each collection may have its own
 * embedding model and so its own vector width, and removing a collection is
 * then a table drop. Table handles are opened once and cached; every search
 * reuses them.
 */
export class IndexStore {
  private connection: Promise<lancedb.Connection> | null = null;
  private readonly tables = new Map<string, Promise<lancedb.Table | null>>();

  private lance: typeof lancedb | null = null;
  /** Collections whose vector column has an ANN index (their queries re-rank candidates). */
  private readonly annIndexed = new Set<string>();
  /** Each collection's term statistics, for the table version they were counted at. */
  /** Each collection's term statistics: the last counts, the table version being (or last) counted, and the count under way. */
  private readonly stats = new Map<string, { version: number; counting: Promise<TermStats> | null; last: TermStats | null }>();
  /** Bumped by `dispose`: a count started before stops at its next batch. */
  private generation = 0;

  constructor(private readonly uri: () => string) {}

  private db(): Promise<lancedb.Connection> {
    this.connection ??= (async () => {
      // LanceDB's Rust log reads LANCEDB_LOG when the module loads, hence the late import: without it
      // every new table prints a WARN ("no existing dataset, it will be created") to stderr.
      process.env.LANCEDB_LOG ??= 'error';
      this.lance = await import('@lancedb/lancedb');
      return this.lance.connect(this.uri());
    })().catch((error: unknown) => {
      this.connection = null;
      throw new CodedError('STORAGE_FAILED', `The documents database could not be opened: ${(error as Error).message}`, { cause: error });
    });
    return this.connection;
  }

  private tableName(collectionId: string): string {
    return `chunks_${collectionId}`;
  }

  /** The collection's table, or null when it has none yet. */
  table(collectionId: string): Promise<lancedb.Table | null> {
    let table = this.tables.get(collectionId);
    if (!table) {
      table = (async () => {
        const db = await this.db();
        const name = this.tableName(collectionId);
        const names = await db.tableNames();
        if (!names.includes(name)) return null;
        const opened = await db.openTable(name);
        await this.upgrade(opened);
        if ((await opened.listIndices()).some((i) => i.name === VECTOR_INDEX)) this.annIndexed.add(collectionId);
        return opened;
      })();
      table.catch(() => this.tables.delete(collectionId));
      this.tables.set(collectionId, table);
    }
    return table;
  }

  /** Creates the table (with a vector column of `dimensions` when there is an embedder) and its full-text index. */
  async create(collectionId: string, dimensions: number | null): Promise<lancedb.Table> {
    await this.drop(collectionId);
    const db = await this.db();
    const fields: Field[] = [
      new Field('id', new Utf8(), false),
      new Field('path', new Utf8(), false),
      new Field('type', new Utf8(), false),
      new Field('page', new Int32(), false),
      new Field('headingPath', new Utf8(), false),
      new Field('ordinal', new Int32(), false),
      new Field('text', new Utf8(), false),
      new Field('charStart', new Int32(), false),
      new Field('charEnd', new Int32(), false),
      new Field('contentHash', new Utf8(), false),
      new Field('fileHash', new Utf8(), false),
      new Field('localOnly', new Bool(), false),
      new Field('location', new Utf8(), false),
      new Field('ocr', new Bool(), false),
    ];
    if (dimensions) fields.push(new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), true));
    const table = await db.createEmptyTable(this.tableName(collectionId), new Schema(fields), { mode: 'overwrite' });
    await table.createIndex('text', { config: this.ftsConfig(), name: FTS_INDEX, replace: true });
    this.tables.set(collectionId, Promise.resolve(table));
    return table;
  }

  /** The full-text index's tokenizer: English stemming and stop words, ASCII folding ("café" finds "cafe"), lower case. */
  private ftsConfig(): lancedb.Index {
    return this.lance!.Index.fts({ baseTokenizer: 'simple', language: 'English', stem: true, removeStopWords: true, asciiFolding: true, lowercase: true, withPosition: false });
  }

  /**
   * Brings a table written by an older version up to date: adds the columns
   * it lacks (filled with "none") and rebuilds a full-text index built with
   * other tokenizer options. Chunks are kept; nothing is re-parsed.
   */
  private async upgrade(table: lancedb.Table): Promise<void> {
    const schema = await table.schema();
    const missing = ADDED_COLUMNS.filter((c) => !schema.fields.some((f) => f.name === c.name));
    if (missing.length > 0) await table.addColumns(missing);
    const indices = await table.listIndices();
    if (!indices.some((i) => i.name === FTS_INDEX)) {
      await table.createIndex('text', { config: this.ftsConfig(), name: FTS_INDEX, replace: true });
      for (const old of indices.filter((i) => OLD_FTS_INDICES.includes(i.name))) await table.dropIndex(old.name);
    }
  }

  async drop(collectionId: string): Promise<void> {
    this.annIndexed.delete(collectionId);
    this.stats.delete(collectionId);
    const existing = await this.table(collectionId).catch(() => null);
    existing?.close();
    this.tables.delete(collectionId);
    const db = await this.db();
    if ((await db.tableNames()).includes(this.tableName(collectionId))) await db.dropTable(this.tableName(collectionId));
  }

  private async required(collectionId: string): Promise<lancedb.Table> {
    const table = await this.table(collectionId);
    if (!table) throw new CodedError('INDEX_FAILED', 'The collection has no index table');
    return table;
  }

  /** Replaces every chunk of `paths` with `rows` (delete, then one add): a rerun of the same call is idempotent. */
  async replace(collectionId: string, paths: readonly string[], rows: readonly ChunkRow[]): Promise<void> {
    const table = await this.required(collectionId);
    if (paths.length > 0) await table.delete(inList('path', paths));
    if (rows.length > 0) await table.add(rows.map(toRecord));
  }

  /** The chunks of one file, vectors included (to move them on a rename without embedding again). */
  async rowsFor(collectionId: string, path: string): Promise<ChunkRow[]> {
    const table = await this.required(collectionId);
    const records = await table.query().where(`path = ${sqlString(path)}`).toArray();
    return records.map(fromRecord).sort((a, b) => a.ordinal - b.ordinal);
  }

  /**
   * Document frequencies of the collection's stems (what lexical reranking
   * weighs query terms by and finds compounds in), counted over every chunk's
   * text (~0.2 s per 3,000 chunks). The first call counts; after the table
   * changed, a call starts a recount and answers with the last counts until
   * it is done (the statistics are estimates: a search never waits for a
   * recount, and one count runs at a time). Null when the collection has no
   * table.
   */
  async termStats(collectionId: string): Promise<TermStats | null> {
    const table = await this.table(collectionId);
    if (!table) return null;
    const version = await table.version();
    const cached = this.stats.get(collectionId);
    if (cached && (cached.version === version || cached.counting)) return cached.last ?? cached.counting!;
    const counting = this.countTerms(table);
    const entry = { version, counting: counting as Promise<TermStats> | null, last: cached?.last ?? null };
    this.stats.set(collectionId, entry);
    counting.then(
      (stats) => {
        entry.last = stats;
        entry.counting = null;
      },
      () => {
        entry.counting = null;
        entry.version = -1; // count again on the next call
      },
    );
    return entry.last ?? counting;
  }

  private async countTerms(table: lancedb.Table): Promise<TermStats> {
    const counted: TermStats = { docs: 0, df: new Map() };
    const generation = this.generation;
    for await (const batch of table.query().select(['text'])) {
      if (this.generation !== generation) throw new Error('the index was closed');
      const column = batch.getChild('text');
      if (!column) continue;
      const texts: string[] = [];
      for (let i = 0; i < batch.numRows; i++) texts.push(String(column.get(i) ?? ''));
      countTerms(texts, counted);
    }
    return counted;
  }

  async count(collectionId: string): Promise<number> {
    const table = await this.table(collectionId);
    return table ? table.countRows() : 0;
  }

  /** Every chunk id with its content hash (crash tests compare these sets). */
  async chunkIds(collectionId: string): Promise<{ id: string; path: string; contentHash: string }[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    const records = await table.query().select(['id', 'path', 'contentHash']).toArray();
    return records.map((r) => ({ id: String(r.id), path: String(r.path), contentHash: String(r.contentHash) }));
  }

  async keyword(collectionId: string, query: string, limit: number, filter: RowFilter): Promise<StoredHit[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    let search = table.query().fullTextSearch(query).select([...ROW_COLUMNS, '_score']).limit(limit);
    const where = whereClause(filter);
    if (where) search = search.where(where);
    const records = await search.toArray();
    return records.map((r) => ({ row: fromRecord(r), score: Number(r._score) }));
  }

  /**
   * The full-text query: the user's words as typed (every word optional, BM25), plus
   * `expansions` (words the collection writes for them) at `EXPANSION_BOOST` of their weight.
   */
  private ftsQuery(query: string, expansions: readonly string[]): string | lancedb.FullTextQuery {
    if (expansions.length === 0) return query;
    const { BooleanQuery, MatchQuery, Occur } = this.lance!;
    return new BooleanQuery([
      [Occur.Should, new MatchQuery(query, 'text')],
      [Occur.Should, new MatchQuery(expansions.join(' '), 'text', { boost: EXPANSION_BOOST })],
    ]);
  }

  /** Keyword search reading the hit columns (one query: the cheapest way to a single ranked list). */
  async keywordHits(collectionId: string, query: string, limit: number, filter: RowFilter, expansions: readonly string[] = []): Promise<{ ref: RowRef; row: HitRow }[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    let search = table.query().fullTextSearch(this.ftsQuery(query, expansions)).select([...HIT_COLUMNS, '_score']).limit(limit);
    const where = whereClause(filter);
    if (where) search = search.where(where);
    const records = await search.toArray();
    return records.map((r) => {
      const row = hitFromRecord(r);
      return { ref: { rowId: -1n, id: row.id, score: Number(r._score) }, row };
    });
  }

  /** Vector search reading the hit columns. */
  async vectorHits(collectionId: string, vector: number[], limit: number, filter: RowFilter): Promise<{ ref: RowRef; row: HitRow }[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    let search = table.vectorSearch(vector).distanceType('cosine').select([...HIT_COLUMNS, '_distance']).limit(limit);
    if (this.annIndexed.has(collectionId)) search = search.refineFactor(REFINE_FACTOR);
    const where = whereClause(filter);
    if (where) search = search.where(where);
    const records = await search.toArray();
    return records.map((r) => {
      const row = hitFromRecord(r);
      return { ref: { rowId: -1n, id: row.id, score: 1 - Number(r._distance) }, row };
    });
  }

  /** Keyword search that reads only row ids, chunk ids and scores (late materialization: `rows` reads the winners). */
  async keywordRefs(collectionId: string, query: string, limit: number, filter: RowFilter, expansions: readonly string[] = []): Promise<RowRef[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    let search = table.query().fullTextSearch(this.ftsQuery(query, expansions)).select(['id', '_score']).withRowId().limit(limit);
    const where = whereClause(filter);
    if (where) search = search.where(where);
    const records = await search.toArray();
    return records.map((r) => ({ rowId: r._rowid as bigint, id: String(r.id), score: Number(r._score) }));
  }

  /** Vector search that reads only row ids, chunk ids and scores. */
  async vectorRefs(collectionId: string, vector: number[], limit: number, filter: RowFilter): Promise<RowRef[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    let search = table.vectorSearch(vector).distanceType('cosine').select(['id', '_distance']).withRowId().limit(limit);
    if (this.annIndexed.has(collectionId)) search = search.refineFactor(REFINE_FACTOR);
    const where = whereClause(filter);
    if (where) search = search.where(where);
    const records = await search.toArray();
    return records.map((r) => ({ rowId: r._rowid as bigint, id: String(r.id), score: 1 - Number(r._distance) }));
  }

  /**
   * The rows of `refs` (from keywordRefs/vectorRefs), by chunk id: read by row
   * id, and by chunk id for any whose row id no longer holds that chunk (a
   * write or compaction between the search and this read). Chunks deleted
   * meanwhile are absent.
   */
  async rows(collectionId: string, refs: readonly RowRef[]): Promise<Map<string, HitRow>> {
    const found = new Map<string, HitRow>();
    if (refs.length === 0) return found;
    const table = await this.table(collectionId);
    if (!table) return found;
    try {
      for (const record of await table.takeRowIds(refs.map((r) => r.rowId)).select(HIT_COLUMNS).toArray()) {
        const row = hitFromRecord(record);
        found.set(row.id, row);
      }
    } catch {
      // row ids of an older version: read by chunk id below
    }
    const missing = refs.filter((r) => !found.has(r.id)).map((r) => r.id);
    if (missing.length > 0) {
      for (const record of await table.query().where(inList('id', missing)).select(HIT_COLUMNS).toArray()) {
        const row = hitFromRecord(record);
        found.set(row.id, row);
      }
    }
    return found;
  }

  async vector(collectionId: string, vector: number[], limit: number, filter: RowFilter): Promise<StoredHit[]> {
    const table = await this.table(collectionId);
    if (!table) return [];
    let search = table.vectorSearch(vector).distanceType('cosine').select([...ROW_COLUMNS, '_distance']).limit(limit);
    if (this.annIndexed.has(collectionId)) search = search.refineFactor(REFINE_FACTOR);
    const where = whereClause(filter);
    if (where) search = search.where(where);
    const records = await search.toArray();
    return records.map((r) => ({ row: fromRecord(r), score: 1 - Number(r._distance) }));
  }

  /**
   * After a job changed the table: compacts the fragments the small writes
   * left and brings the full-text index up to date (new rows are searched
   * unindexed until then).
   */
  async optimize(collectionId: string): Promise<void> {
    const table = await this.table(collectionId);
    if (!table) return;
    await table.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
    const indices = await table.listIndices();
    if (!indices.some((i) => i.name === FTS_INDEX)) await table.createIndex('text', { config: this.ftsConfig(), name: FTS_INDEX, replace: true });
  }

  /**
   * Adds an ANN index (IVF_PQ, else HNSW_SQ when PQ cannot split the width)
   * once the table has `ANN_INDEX_MIN_ROWS` vectors; later `optimize()` calls
   * fold new rows into it. Slow on big tables, so it runs after a job's `done`.
   */
  async ensureVectorIndex(collectionId: string): Promise<boolean> {
    const table = await this.table(collectionId);
    if (!table) return false;
    const indices = await table.listIndices();
    if (indices.some((i) => i.name === VECTOR_INDEX)) {
      this.annIndexed.add(collectionId);
      return true;
    }
    const schema = await table.schema();
    if (!schema.fields.some((f) => f.name === 'vector') || (await table.countRows()) < ANN_INDEX_MIN_ROWS) return false;
    try {
      await table.createIndex('vector', { config: this.lance!.Index.ivfPq({ distanceType: 'cosine' }), name: VECTOR_INDEX, replace: true });
    } catch {
      await table.createIndex('vector', { config: this.lance!.Index.hnswSq({ distanceType: 'cosine' }), name: VECTOR_INDEX, replace: true });
    }
    this.annIndexed.add(collectionId);
    return true;
  }

  dispose(): void {
    for (const table of this.tables.values()) void table.then((t) => t?.close()).catch(() => undefined);
    this.tables.clear();
    this.stats.clear();
    this.generation++;
    void this.connection?.then((c) => c.close()).catch(() => undefined);
    this.connection = null;
  }
}

/** A SQL string literal (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function inList(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map(sqlString).join(', ')})`;
}

function whereClause(filter: RowFilter): string | null {
  const parts: string[] = [];
  if (filter.pathPrefix) parts.push(`starts_with(path, ${sqlString(filter.pathPrefix)})`);
  if (filter.types && filter.types.length > 0) parts.push(inList('type', filter.types));
  return parts.length > 0 ? parts.join(' AND ') : null;
}

function toRecord(row: ChunkRow): Record<string, unknown> {
  const { headingPath, vector, location, ocr, ...rest } = row;
  return { ...rest, headingPath: JSON.stringify(headingPath), location: location ?? '', ocr: ocr ?? false, ...(vector ? { vector } : {}) };
}

function hitFromRecord(record: Record<string, unknown>): HitRow {
  return {
    id: String(record.id),
    path: String(record.path),
    type: String(record.type) as DocumentType,
    page: Number(record.page),
    headingPath: JSON.parse(String(record.headingPath)) as string[],
    text: String(record.text),
    charStart: Number(record.charStart),
    charEnd: Number(record.charEnd),
    localOnly: Boolean(record.localOnly),
    location: typeof record.location === 'string' && record.location !== '' ? record.location : null,
    ocr: record.ocr === true,
  };
}

function fromRecord(record: Record<string, unknown>): ChunkRow {
  const vector = record.vector as { toArray?: () => Float32Array } | null | undefined;
  return {
    ...hitFromRecord(record),
    ordinal: Number(record.ordinal),
    contentHash: String(record.contentHash),
    fileHash: String(record.fileHash),
    ...(vector && typeof vector.toArray === 'function' ? { vector: [...vector.toArray()] } : {}),
  };
}
