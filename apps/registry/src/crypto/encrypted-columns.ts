import { createHash } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { FieldCipher } from './field-cipher';
import { derivedRows, param, placeholderFor } from '../database/derived-rows';

// Every column that holds a document with full identifiers, and the context its values are
// bound to. Lookups never need these columns: they go through keyed hashes (subject_id_hash,
// restriction_persons.id_hash, correction_requests.debtor_id_hash), which stay as they are.
// Names stay in plaintext (restrictions.subject_name backs the public list's name search, and the
// list is public by law); correction tables hold only the debtor's keyed hash.

/** `<table>.<column>:<row key parts>`; parts are URI-encoded so no two rows share a context. */
function context(place: string, ...parts: (string | number)[]): string {
  return `${place}:${parts.map((part) => encodeURIComponent(String(part))).join(':')}`;
}

export const contextOf = {
  /** Bound to the version too: an older ciphertext of the same row does not pass for the current one. */
  restrictionState: (id: string, version: number) => context('restrictions.state', id, version),
  restrictionHistoryState: (restrictionId: string, version: number) => context('restriction_history.state', restrictionId, version),
  /** The event id is known before the insert (the row id is not) and is unique. */
  outboxPayload: (eventId: string) => context('outbox.payload', eventId),
  idempotencyResponse: (principal: string, key: string) => context('idempotency_keys.response', principal, key),
};

type Row = Record<string, unknown>;

export interface EncryptedColumn {
  table: string;
  column: string;
  /** The primary key, in index order: batches are keyset-paged on it. */
  key: readonly string[];
  /** Further columns the context needs. */
  also: readonly string[];
  contextOf(row: Row): string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'restrictions', column: 'state', key: ['id'], also: ['version'], contextOf: (r) => contextOf.restrictionState(String(r.id), Number(r.version)) },
  {
    table: 'restriction_history',
    column: 'state',
    key: ['restriction_id', 'version'],
    also: [],
    contextOf: (r) => contextOf.restrictionHistoryState(String(r.restriction_id), Number(r.version)),
  },
  { table: 'outbox', column: 'payload', key: ['id'], also: ['event_id'], contextOf: (r) => contextOf.outboxPayload(String(r.event_id)) },
  {
    table: 'idempotency_keys',
    column: 'response',
    key: ['principal', 'idem_key'],
    also: [],
    contextOf: (r) => contextOf.idempotencyResponse(String(r.principal), String(r.idem_key)),
  },
];

/** Which stored values a pass rewrites, and into what. */
export interface Rewrite {
  /** SQL condition on the column's value. */
  where(column: string): { sql: string; params: unknown[] };
  transform(value: string, context: string): string;
}

// Binary comparisons: the columns' collation is case-insensitive, key ids are not.
const ENVELOPE = (column: string) => `CAST(LEFT(${column}, 3) AS BINARY) = CAST('v1:' AS BINARY)`;

/**
 * Plaintext (as written before encryption) → envelope under the active key. The migration's up.
 * The cipher is asked for only when a value is found, so an empty database needs no keys.
 */
export function encryptPlaintext(cipher: () => FieldCipher): Rewrite {
  return {
    where: (column) => ({ sql: `NOT ${ENVELOPE(column)} AND ${column} <> ''`, params: [] }),
    transform: (value, ctx) => cipher().encrypt(value, ctx),
  };
}

/** Envelope under any configured key → plaintext. The migration's down. */
export function decryptAll(cipher: () => FieldCipher): Rewrite {
  return {
    where: (column) => ({ sql: ENVELOPE(column), params: [] }),
    transform: (value, ctx) => cipher().decrypt(value, ctx),
  };
}

/** Anything not under the active key (an older key, or plaintext) → envelope under the active key. */
export function reencryptToActiveKey(cipher: FieldCipher): Rewrite {
  const prefix = FieldCipher.prefixOf(cipher.activeKeyId);
  return {
    where: (column) => ({ sql: `CAST(LEFT(${column}, ?) AS BINARY) <> CAST(? AS BINARY) AND ${column} <> ''`, params: [prefix.length, prefix] }),
    transform: (value, ctx) => cipher.encrypt(FieldCipher.isEnvelope(value) ? cipher.decrypt(value, ctx) : value, ctx),
  };
}

export interface RewriteResult {
  table: string;
  column: string;
  rewritten: number;
  /** Changed by the service between read and write; it wrote the row with the active key anyway. */
  changedMeanwhile: number;
  /** Values that could not be rewritten (e.g. under a key no longer configured); left as they are. */
  failed: number;
  firstFailure?: string;
}

export interface RewriteOptions {
  batchSize?: number;
  /** Inside a migration's transaction: commit each batch, so millions of rows are not one transaction. */
  commitEachBatch?: boolean;
  onBatch?(result: RewriteResult): void;
}

const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * Rewrites the matching values of one column in batches, keyset-paged by primary key. Each
 * write is conditional on the value still being what was read (SHA-256 compared in SQL), so
 * the service may keep writing meanwhile: a row it changed is left as it wrote it. Re-running
 * is harmless: rows already rewritten no longer match.
 */
export async function rewriteColumn(runner: QueryRunner, column: EncryptedColumn, rewrite: Rewrite, options: RewriteOptions = {}): Promise<RewriteResult> {
  const batchSize = options.batchSize ?? 200;
  const { table, key } = column;
  const name = column.column;
  const selected = [...key, ...column.also.filter((c) => !key.includes(c))];
  const matching = rewrite.where(name);
  const result: RewriteResult = { table, column: name, rewritten: 0, changedMeanwhile: 0, failed: 0 };
  let after: unknown[] | undefined;
  let keyPlaceholders: string[] | undefined;
  for (;;) {
    const page = after ? keysetAfter(key, after) : { sql: '1 = 1', params: [] };
    const rows: Row[] = await runner.query(
      `SELECT ${selected.join(', ')}, ${name} AS stored_value FROM ${table}
        WHERE ${page.sql} AND ${matching.sql}
        ORDER BY ${key.join(', ')} LIMIT ?`,
      [...page.params, ...matching.params, batchSize],
    );
    if (rows.length === 0) break;
    after = key.map((k) => rows[rows.length - 1][k]);
    const updates: { key: unknown[]; oldHash: string; next: string }[] = [];
    for (const row of rows) {
      const stored = String(row.stored_value);
      try {
        updates.push({ key: key.map((k) => row[k]), oldHash: sha256(stored), next: rewrite.transform(stored, column.contextOf(row)) });
      } catch (error) {
        result.failed++;
        result.firstFailure ??= (error as Error).message;
      }
    }
    keyPlaceholders ??= await placeholdersOf(runner, table, key);
    for (const chunk of chunksByBytes(updates, (u) => u.next.length)) {
      const derived = derivedRows(chunk.length, { ...Object.fromEntries(keyPlaceholders.map((p, i) => [`k${i}`, p])), h: param.value, nv: param.value });
      const outcome: { affectedRows: number } = await runner.query(
        `UPDATE ${table} t JOIN (${derived}) x ON ${key.map((k, i) => `t.${k} = x.k${i}`).join(' AND ')} AND SHA2(t.${name}, 256) = x.h
            SET t.${name} = x.nv`,
        chunk.flatMap((u) => [...u.key, u.oldHash, u.next]),
      );
      result.rewritten += outcome.affectedRows;
      result.changedMeanwhile += chunk.length - outcome.affectedRows;
    }
    if (options.commitEachBatch && runner.isTransactionActive) {
      await runner.commitTransaction();
      await runner.startTransaction();
    }
    options.onBatch?.(result);
    if (rows.length < batchSize) break;
  }
  return result;
}

/** Placeholders typed like the key columns, so the join to them uses the primary key (see derived-rows.ts). */
async function placeholdersOf(runner: QueryRunner, table: string, key: readonly string[]): Promise<string[]> {
  const columns: { name: string; dataType: string; columnType: string; characterSet: string | null; collation: string | null }[] = await runner.query(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, CHARACTER_SET_NAME AS characterSet, COLLATION_NAME AS collation
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [table],
  );
  return key.map((name) => {
    const column = columns.find((c) => c.name === name);
    if (!column) throw new Error(`${table}.${name} not found`);
    return placeholderFor(column);
  });
}

/** `(k0, k1, …) > (v0, v1, …)` spelled out, which every MySQL and MariaDB version can range-scan. */
function keysetAfter(key: readonly string[], values: unknown[]): { sql: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  key.forEach((column, i) => {
    terms.push([...key.slice(0, i).map((k) => `${k} = ?`), `${column} > ?`].join(' AND '));
    params.push(...values.slice(0, i), values[i]);
  });
  return { sql: `(${terms.map((t) => `(${t})`).join(' OR ')})`, params };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function* chunksByBytes<T>(items: T[], sizeOf: (item: T) => number): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (chunk.length > 0 && bytes + sizeOf(item) > MAX_STATEMENT_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += sizeOf(item);
  }
  if (chunk.length > 0) yield chunk;
}
