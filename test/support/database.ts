// Test databases are recreated from the migrations. Refuses any name not ending in `_test`.
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../apps/registry/src/config/app-config';
import { dataSourceOptions } from '../../apps/registry/src/database/data-source-options';

export async function recreateDatabase(db: AppConfig['db']): Promise<void> {
  if (!db.database.endsWith('_test')) {
    throw new Error(`Refusing to recreate "${db.database}": a test database name must end in _test.`);
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
