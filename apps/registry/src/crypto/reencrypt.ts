import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { ENCRYPTED_COLUMNS, reencryptToActiveKey, rewriteColumn, type RewriteResult } from './encrypted-columns';
import { FieldCipher } from './field-cipher';

/**
 * Key rotation, step 3 (README "Personal information"): rewrites every value not under
 * DATA_KEY_ID — older keys, and any plaintext left behind — under the active key. Safe while
 * the service runs: each write is conditional on the value being unchanged since it was read.
 */
export async function reencrypt(config: AppConfig, options: { batchSize?: number; log?: (line: string) => void } = {}): Promise<RewriteResult[]> {
  const cipher = new FieldCipher(config.dataKeys);
  const log = options.log ?? (() => undefined);
  const dataSource = new DataSource(dataSourceOptions(config.db));
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    const results: RewriteResult[] = [];
    for (const column of ENCRYPTED_COLUMNS) {
      const result = await rewriteColumn(runner, column, reencryptToActiveKey(cipher), { batchSize: options.batchSize });
      log(
        `${column.table}.${column.column}: ${result.rewritten} re-encrypted under "${cipher.activeKeyId}"` +
          (result.changedMeanwhile ? `, ${result.changedMeanwhile} changed meanwhile` : '') +
          (result.failed ? `, ${result.failed} FAILED (${result.firstFailure})` : ''),
      );
      results.push(result);
    }
    return results;
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}
