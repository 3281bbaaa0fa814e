import { MigrationInterface, QueryRunner } from 'typeorm';
import { loadConfig } from '../apps/registry/src/config/app-config';
import { decryptAll, ENCRYPTED_COLUMNS, encryptPlaintext, rewriteColumn, type Rewrite } from '../apps/registry/src/crypto/encrypted-columns';
import { FieldCipher } from '../apps/registry/src/crypto/field-cipher';

// Encrypts the documents that carry full identifiers (restrictions.state, restriction_history.state,
// outbox.payload, idempotency_keys.response) in place; the columns are LONGTEXT already, so
// nothing is widened. Uses the process's DATA_KEYS / DATA_KEY_ID (loadConfig), so `migrate` must
// run with the service's keys. Batches of 200 rows, each committed: an interrupted run keeps what
// it did, and running again skips values already encrypted (prefix `v1:`).
// Stop the previous release's instances first: they can neither read nor relay envelopes.
export class EncryptPersonalData1764800000000 implements MigrationInterface {
  name = 'EncryptPersonalData1764800000000';
  private loaded?: FieldCipher;

  /** Tests pass a cipher; TypeORM constructs the migration without one. */
  constructor(private readonly cipher?: FieldCipher) {}

  async up(q: QueryRunner): Promise<void> {
    await this.rewriteAll(q, encryptPlaintext(() => this.keys()));
  }

  async down(q: QueryRunner): Promise<void> {
    await this.rewriteAll(q, decryptAll(() => this.keys()));
  }

  private keys(): FieldCipher {
    return (this.loaded ??= this.cipher ?? new FieldCipher(loadConfig().dataKeys));
  }

  private async rewriteAll(q: QueryRunner, rewrite: Rewrite): Promise<void> {
    for (const column of ENCRYPTED_COLUMNS) {
      const result = await rewriteColumn(q, column, rewrite, { commitEachBatch: true });
      if (result.failed > 0) throw new Error(`${column.table}.${column.column}: ${result.failed} value(s) could not be rewritten (${result.firstFailure})`);
    }
  }
}
