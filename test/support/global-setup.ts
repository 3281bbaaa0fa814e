// Integration tests: recreate the test database from migrations once per run.
// Refuses to touch any database whose name does not end in `_test`.
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../apps/registry/src/config/app-config';
import { dataSourceOptions } from '../../apps/registry/src/database/data-source-options';

export default async function globalSetup(): Promise<void> {
  process.env.DB_NAME ??= 'credit_discipline_test';
  process.env.NODE_ENV ??= 'test';
  const { db } = loadConfig();
  if (!db.database.endsWith('_test')) {
    throw new Error(`Refusing to run integration tests against "${db.database}": the test database name must end in _test.`);
  }
  const connection = await createConnection({ host: db.host, port: db.port, user: db.user, password: db.password });
  await connection.query(`DROP DATABASE IF EXISTS \`${db.database}\``);
  await connection.query(`CREATE DATABASE \`${db.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  const dataSource = new DataSource(dataSourceOptions(db));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
}
