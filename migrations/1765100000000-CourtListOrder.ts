import { MigrationInterface, QueryRunner } from 'typeorm';

// A court's list is read newest first (ORDER BY id DESC). InnoDB appends the primary key to
// every secondary index, so (court_code, status) and (court_code, kind, status) already deliver
// a status-filtered list in id order, but a court's whole list or one kind of it had no index
// ending in id and sorted every row of the court. (court_code) and (court_code, kind) end in id.
//
// Idempotency keys are compared byte for byte: they are visible ASCII (checked on input), and a
// case-insensitive collation made 'Key-A' replay the response stored for 'key-a'.
export class CourtListOrder1765100000000 implements MigrationInterface {
  name = 'CourtListOrder1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE restrictions ADD INDEX ix_restrictions_court (court_code), ADD INDEX ix_restrictions_court_kind_id (court_code, kind)');
    await q.query('ALTER TABLE idempotency_keys MODIFY idem_key VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE idempotency_keys MODIFY idem_key VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    await q.query('ALTER TABLE restrictions DROP INDEX ix_restrictions_court_kind_id, DROP INDEX ix_restrictions_court');
  }
}
