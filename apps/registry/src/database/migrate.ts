import { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

export async function runMigrations(config: AppConfig): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(config.db));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    console.log(`database ${config.db.database}: ${applied.length} migration(s) applied`);
  } finally {
    await dataSource.destroy();
  }
}

// `npm run db:migrate` runs this file directly.
if (require.main === module) {
  runMigrations(loadConfig()).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
