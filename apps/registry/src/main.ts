// Entry point of the registry bundle:
//   node main.js              serve HTTP, relay the outbox, run schedulers
//   node main.js migrate      apply pending database migrations and exit
//   node main.js import-courts <file.json>   load court reference data (code, name, parent)
//   node main.js reencrypt    rewrite personal data not under DATA_KEY_ID with it (key rotation)
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config';
import { importCourts } from './courts/import-courts';
import { reencrypt } from './crypto/reencrypt';
import { runMigrations } from './database/migrate';

async function serve(config: AppConfig): Promise<void> {
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  new Logger('Registry').log(`listening on http://${config.http.host}:${config.http.port} (docs at /docs)`);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const command = process.argv[2] ?? 'serve';
  if (command === 'migrate') {
    await runMigrations(config);
  } else if (command === 'import-courts') {
    const file = process.argv[3];
    if (!file) {
      console.error('usage: node main.js import-courts <file.json>');
      process.exit(2);
    }
    console.log(`imported ${await importCourts(config, file)} court(s) into ${config.db.database}`);
  } else if (command === 'reencrypt') {
    const results = await reencrypt(config, { log: (line) => console.log(line) });
    if (results.some((result) => result.failed > 0)) process.exit(1);
  } else if (command === 'serve') {
    await serve(config);
  } else {
    console.error(`unknown command "${command}"; expected serve, migrate, import-courts or reencrypt`);
    process.exit(2);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
