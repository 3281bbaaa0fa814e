// Integration tests: recreate the test database from migrations once per run.
import { loadConfig } from '../../apps/registry/src/config/app-config';
import { recreateDatabase } from './database';

export default async function globalSetup(): Promise<void> {
  process.env.DB_NAME ??= 'credit_discipline_test';
  process.env.NODE_ENV ??= 'test';
  await recreateDatabase(loadConfig().db);
}
