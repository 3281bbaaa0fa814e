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
