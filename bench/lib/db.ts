// Raw mysql2 access for the baselines, seeding and measurements (same settings as the
// service's TypeORM connection: utf8mb4, instants as UTC DATETIME(3)).
import { createConnection, createPool, type Connection, type Pool } from 'mysql2/promise';

export interface DbSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const common = { charset: 'utf8mb4_unicode_ci', timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: true } as const;

export function rawPool(db: DbSettings, connectionLimit: number): Pool {
  return createPool({ ...common, host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, connectionLimit, waitForConnections: true });
}

export function rawConnection(db: DbSettings, withDatabase = true): Promise<Connection> {
  return createConnection({ ...common, host: db.host, port: db.port, user: db.user, password: db.password, ...(withDatabase ? { database: db.database } : {}) });
}

/** Drops and creates the bench database; refuses any name that does not say "bench". */
export async function recreateDatabase(db: DbSettings): Promise<void> {
  if (!/^[A-Za-z0-9_]*bench[A-Za-z0-9_]*$/.test(db.database)) throw new Error(`refusing to recreate "${db.database}": the bench database name must contain "bench"`);
  const connection = await rawConnection(db, false);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${db.database}\``);
    await connection.query(`CREATE DATABASE \`${db.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export async function scalar<T = number>(pool: Pool | Connection, sql: string, params: unknown[] = []): Promise<T> {
  const [rows] = (await pool.query(sql, params)) as unknown as [Record<string, unknown>[]];
  return Object.values(rows[0] ?? {})[0] as T;
}

export async function rows<T>(pool: Pool | Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [result] = (await pool.query(sql, params)) as unknown as [T[]];
  return result;
}

/**
 * Flushes the dirty pages bulk seeding left in the buffer pool, so the query figures measure the
 * queries and not the server writing gigabytes back behind them. Raises the flushing rate for the
 * moment and restores the server's settings; returns the seconds it took.
 */
export async function flushDirtyPages(pool: Pool, timeoutMs = 300_000): Promise<number> {
  const started = Date.now();
  const [before] = await rows<{ pct: string; io: string; ioMax: string }>(
    pool,
    'SELECT @@innodb_max_dirty_pages_pct AS pct, @@innodb_io_capacity AS io, @@innodb_io_capacity_max AS ioMax',
  );
  try {
    await pool.query('SET GLOBAL innodb_io_capacity_max = GREATEST(@@innodb_io_capacity_max, 40000)');
    await pool.query('SET GLOBAL innodb_io_capacity = 20000');
    await pool.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
    for (;;) {
      const [status] = await rows<{ Value: string }>(pool, "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
      if (Number(status.Value) < 500 || Date.now() - started > timeoutMs) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await pool.query('SET GLOBAL innodb_max_dirty_pages_pct = ?', [Number(before.pct)]);
    await pool.query('SET GLOBAL innodb_io_capacity = ?', [Number(before.io)]);
    await pool.query('SET GLOBAL innodb_io_capacity_max = ?', [Number(before.ioMax)]);
  }
  return (Date.now() - started) / 1000;
}

/**
 * Sizes the shared server for the run (a dedicated database host is sized to its data): the buffer
 * pool, and the redo log — at the default 96 MiB, bulk seeding spends most of its time in checkpoint
 * flushing. Returns what to run at the end to put the server back as it was.
 */
export async function sizeServer(pool: Pool, sizes: { bufferPoolMiB?: number; redoLogMiB?: number }): Promise<() => Promise<void>> {
  const [server] = await rows<{ version: string; bp: string }>(pool, 'SELECT VERSION() AS version, @@innodb_buffer_pool_size AS bp');
  // MariaDB resizes its redo log online (10.9+); MySQL 8.0.30+ has innodb_redo_log_capacity instead.
  const redoVariable = /mariadb/i.test(server.version) ? 'innodb_log_file_size' : 'innodb_redo_log_capacity';
  const [{ redo }] = await rows<{ redo: string }>(pool, `SELECT @@${redoVariable} AS redo`);
  if (sizes.bufferPoolMiB) await pool.query('SET GLOBAL innodb_buffer_pool_size = ?', [sizes.bufferPoolMiB * 2 ** 20]);
  if (sizes.redoLogMiB) await pool.query(`SET GLOBAL ${redoVariable} = ?`, [sizes.redoLogMiB * 2 ** 20]);
  return async () => {
    if (sizes.bufferPoolMiB) await pool.query('SET GLOBAL innodb_buffer_pool_size = ?', [Number(server.bp)]).catch(() => undefined);
    if (sizes.redoLogMiB) await pool.query(`SET GLOBAL ${redoVariable} = ?`, [Number(redo)]).catch(() => undefined);
  };
}
