import { MigrationInterface, QueryRunner } from 'typeorm';

// The public list by name was read through a 64-character prefix of the name. A prefix index
// cannot deliver rows in primary-key order, so every search sorted all active listings of the
// name (hundreds for a common name at 1 M restrictions, ten times as many at 10 M) and read each
// row's state to do it. On the whole name (VARCHAR(300) utf8mb4: 1,254 key bytes with kind and
// status, within InnoDB's 3,072) the index yields the newest listings first and the search stops
// at the page size.
export class PublicNameOrder1765000000000 implements MigrationInterface {
  name = 'PublicNameOrder1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE restrictions DROP INDEX ix_restrictions_public_name, ADD INDEX ix_restrictions_public_name (kind, status, subject_name)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE restrictions DROP INDEX ix_restrictions_public_name, ADD INDEX ix_restrictions_public_name (kind, status, subject_name(64))');
  }
}
