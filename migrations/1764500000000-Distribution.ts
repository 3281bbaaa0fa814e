import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

// Partner registry, delivery ledger and accepted receipts. `deliveries.awaiting`
// is a stored generated column so the overdue scan is an index range, not a table scan.
export class Distribution1764500000000 implements MigrationInterface {
  name = 'Distribution1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE partners (
        id VARCHAR(64) ${ASCII} NOT NULL,
        name VARCHAR(200) NOT NULL,
        sector VARCHAR(32) ${ASCII} NOT NULL,
        kinds VARCHAR(200) ${ASCII} NOT NULL,
        deadline_value INT UNSIGNED NOT NULL,
        deadline_unit VARCHAR(16) ${ASCII} NOT NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        backfill_cursor CHAR(36) ${ASCII} NULL,
        backfill_pending TINYINT(1) NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE partner_keys (
        partner_id VARCHAR(64) ${ASCII} NOT NULL,
        key_id VARCHAR(64) ${ASCII} NOT NULL,
        public_key_pem TEXT ${ASCII} NOT NULL,
        created_at DATETIME(3) NOT NULL,
        revoked_at DATETIME(3) NULL,
        PRIMARY KEY (partner_id, key_id),
        CONSTRAINT fk_partner_keys FOREIGN KEY (partner_id) REFERENCES partners (id)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE deliveries (
        restriction_id CHAR(36) ${ASCII} NOT NULL,
        partner_id VARCHAR(64) ${ASCII} NOT NULL,
        kind VARCHAR(32) ${ASCII} NOT NULL,
        court_code VARCHAR(32) ${ASCII} NOT NULL,
        bucket SMALLINT UNSIGNED NOT NULL,
        required_version INT UNSIGNED NOT NULL,
        published_version INT UNSIGNED NOT NULL DEFAULT 0,
        published_status VARCHAR(16) ${ASCII} NULL,
        published_event_id CHAR(36) ${ASCII} NULL,
        first_published_at DATETIME(3) NULL,
        published_at DATETIME(3) NULL,
        due_at DATETIME(3) NULL,
        confirmed_version INT UNSIGNED NOT NULL DEFAULT 0,
        confirmed_outcome VARCHAR(16) ${ASCII} NULL,
        confirmed_at DATETIME(3) NULL,
        partner_reference VARCHAR(200) NULL,
        failed_version INT UNSIGNED NULL,
        failure_reason VARCHAR(500) NULL,
        imposed_confirmed_at DATETIME(3) NULL,
        lift_version INT UNSIGNED NULL,
        lift_confirmed_at DATETIME(3) NULL,
        announce_count INT UNSIGNED NOT NULL DEFAULT 0,
        last_announced_at DATETIME(3) NULL,
        awaiting TINYINT(1) AS (published_version > confirmed_version) STORED,
        PRIMARY KEY (restriction_id, partner_id),
        KEY ix_deliveries_partner_bucket (partner_id, bucket, restriction_id),
        KEY ix_deliveries_overdue (awaiting, due_at),
        KEY ix_deliveries_court (court_code, kind)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE receipts (
        partner_id VARCHAR(64) ${ASCII} NOT NULL,
        restriction_id CHAR(36) ${ASCII} NOT NULL,
        version INT UNSIGNED NOT NULL,
        event_id CHAR(36) ${ASCII} NOT NULL,
        outcome VARCHAR(16) ${ASCII} NOT NULL,
        reason VARCHAR(500) NULL,
        partner_reference VARCHAR(200) NULL,
        applied_at DATETIME(3) NOT NULL,
        received_at DATETIME(3) NOT NULL,
        published_at DATETIME(3) NULL,
        latency_ms BIGINT NULL,
        channel VARCHAR(8) ${ASCII} NOT NULL,
        key_id VARCHAR(64) ${ASCII} NOT NULL,
        signature VARCHAR(200) ${ASCII} NOT NULL,
        PRIMARY KEY (partner_id, restriction_id, version, outcome),
        KEY ix_receipts_partner_time (partner_id, received_at)
      ) ${TABLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['receipts', 'deliveries', 'partner_keys', 'partners']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
