import { readFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';

interface CourtsFile {
  courts: { code: string; name: string; parentCode: string | null }[];
}

/**
 * Loads court reference data (code, name, parent court) from a JSON file; existing courts
 * are updated. Parents are written before children, so the foreign key always holds.
 */
export async function importCourts(config: AppConfig, path: string): Promise<number> {
  const { courts } = JSON.parse(await readFile(path, 'utf8')) as CourtsFile;
  const problems = courts.flatMap((c, i) =>
    typeof c.code === 'string' && /^[0-9A-Z]{2,32}$/.test(c.code) && typeof c.name === 'string' && c.name.trim() !== '' ? [] : [`courts[${i}]: needs a code (2–32 of 0-9 A-Z) and a name`],
  );
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const codes = new Set(courts.map((c) => c.code));
  const ordered: CourtsFile['courts'] = [];
  const placed = new Set<string>();
  while (ordered.length < courts.length) {
    const ready = courts.filter((c) => !placed.has(c.code) && (c.parentCode === null || placed.has(c.parentCode) || !codes.has(c.parentCode)));
    if (ready.length === 0) throw new Error('the court hierarchy has a cycle');
    for (const court of ready) {
      ordered.push(court);
      placed.add(court.code);
    }
  }
  const dataSource = new DataSource(dataSourceOptions(config.db));
  await dataSource.initialize();
  try {
    await dataSource.transaction(async (manager) => {
      for (const court of ordered) {
        await manager.query(
          `INSERT INTO courts (code, name, parent_code) VALUES (?, ?, ?)
           ON DUPLICATE KEY UPDATE name = VALUES(name), parent_code = VALUES(parent_code)`,
          [court.code, court.name.trim(), court.parentCode],
        );
      }
    });
  } finally {
    await dataSource.destroy();
  }
  return ordered.length;
}
