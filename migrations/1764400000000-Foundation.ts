import { MigrationInterface, QueryRunner } from 'typeorm';

// Runs unchanged on MariaDB 10.11 and MySQL 8: JSON documents are stored as
// LONGTEXT (MariaDB's JSON is an alias anyway, and mysql2 decodes the two
// differently), instants as DATETIME(3) in UTC, identifiers as ASCII.
// restrictions.active_listing_key is set only on ACTIVE listings, so the unique
// index makes "one active listing per subject and case" hold under concurrency
// without gap locks.
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

export class Foundation1764400000000 implements MigrationInterface {
  name = 'Foundation1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE courts (
        code VARCHAR(32) ${ASCII} NOT NULL,
        name VARCHAR(200) NOT NULL,
        parent_code VARCHAR(32) ${ASCII} NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (code),
        KEY ix_courts_parent (parent_code),
        CONSTRAINT fk_courts_parent FOREIGN KEY (parent_code) REFERENCES courts (code)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE restrictions (
        id CHAR(36) ${ASCII} NOT NULL,
        kind VARCHAR(32) ${ASCII} NOT NULL,
        version INT UNSIGNED NOT NULL,
        status VARCHAR(16) ${ASCII} NOT NULL,
        court_code VARCHAR(32) ${ASCII} NOT NULL,
        case_number VARCHAR(100) NOT NULL,
        subject_type VARCHAR(16) ${ASCII} NOT NULL,
        subject_name VARCHAR(300) NOT NULL,
        subject_id_type VARCHAR(16) ${ASCII} NOT NULL,
        subject_id_hash BINARY(32) NOT NULL,
        ground VARCHAR(40) ${ASCII} NULL,
        linked_listing_id CHAR(36) ${ASCII} NULL,
        decided_at DATETIME(3) NOT NULL,
        effective_at DATETIME(3) NOT NULL,
        publish_after DATETIME(3) NULL,
        expires_at DATETIME(3) NULL,
        lifted_at DATETIME(3) NULL,
        lift_reason VARCHAR(40) ${ASCII} NULL,
        active_listing_key BINARY(32) NULL,
        state LONGTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY ux_restrictions_active_listing (active_listing_key),
        KEY ix_restrictions_court_kind (court_code, kind, status),
        KEY ix_restrictions_court_status (court_code, status),
        KEY ix_restrictions_court_case (court_code, case_number),
        KEY ix_restrictions_court_subject (court_code, subject_id_hash),
        KEY ix_restrictions_subject (subject_id_hash, kind, status),
        KEY ix_restrictions_expiry (status, expires_at),
        KEY ix_restrictions_linked (linked_listing_id),
        CONSTRAINT fk_restrictions_court FOREIGN KEY (court_code) REFERENCES courts (code)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE restriction_persons (
        restriction_id CHAR(36) ${ASCII} NOT NULL,
        seq SMALLINT UNSIGNED NOT NULL,
        role VARCHAR(40) ${ASCII} NOT NULL,
        name VARCHAR(300) NOT NULL,
        id_type VARCHAR(16) ${ASCII} NOT NULL,
        id_hash BINARY(32) NOT NULL,
        PRIMARY KEY (restriction_id, seq),
        KEY ix_restriction_persons_id (id_hash),
        CONSTRAINT fk_restriction_persons FOREIGN KEY (restriction_id) REFERENCES restrictions (id)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE restriction_history (
        restriction_id CHAR(36) ${ASCII} NOT NULL,
        version INT UNSIGNED NOT NULL,
        change_type VARCHAR(16) ${ASCII} NOT NULL,
        event_id CHAR(36) ${ASCII} NOT NULL,
        actor VARCHAR(120) NOT NULL,
        state LONGTEXT NOT NULL,
        recorded_at DATETIME(3) NOT NULL,
        PRIMARY KEY (restriction_id, version),
        CONSTRAINT fk_restriction_history FOREIGN KEY (restriction_id) REFERENCES restrictions (id)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE outbox (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        event_id CHAR(36) ${ASCII} NOT NULL,
        restriction_id CHAR(36) ${ASCII} NOT NULL,
        version INT UNSIGNED NOT NULL,
        topic VARCHAR(200) ${ASCII} NOT NULL,
        payload LONGTEXT NOT NULL,
        available_at DATETIME(3) NOT NULL,
        created_at DATETIME(3) NOT NULL,
        published_at DATETIME(3) NULL,
        kafka_partition INT NULL,
        kafka_offset BIGINT NULL,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        last_error VARCHAR(500) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY ux_outbox_event (event_id),
        UNIQUE KEY ux_outbox_restriction_version (restriction_id, version),
        KEY ix_outbox_pending (published_at, id),
        KEY ix_outbox_head (restriction_id, published_at, id)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE relay_leases (
        name VARCHAR(64) ${ASCII} NOT NULL,
        owner VARCHAR(120) NULL,
        expires_at DATETIME(3) NOT NULL,
        fencing_token BIGINT UNSIGNED NOT NULL DEFAULT 0,
        PRIMARY KEY (name)
      ) ${TABLE}`);
    await q.query(`INSERT INTO relay_leases (name, owner, expires_at) VALUES ('outbox-relay', NULL, '1970-01-01 00:00:01.000')`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        principal VARCHAR(120) NOT NULL,
        idem_key VARCHAR(200) NOT NULL,
        request_hash CHAR(64) ${ASCII} NOT NULL,
        status_code SMALLINT UNSIGNED NOT NULL,
        response LONGTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (principal, idem_key),
        KEY ix_idempotency_created (created_at)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE audit_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        recorded_at DATETIME(3) NOT NULL,
        actor_role VARCHAR(20) ${ASCII} NOT NULL,
        actor_id VARCHAR(120) NOT NULL,
        action VARCHAR(60) ${ASCII} NOT NULL,
        resource_type VARCHAR(40) ${ASCII} NOT NULL,
        resource_id VARCHAR(64) ${ASCII} NOT NULL,
        before_version INT UNSIGNED NULL,
        after_version INT UNSIGNED NULL,
        request_id VARCHAR(64) NULL,
        details TEXT NULL,
        PRIMARY KEY (id),
        KEY ix_audit_resource (resource_type, resource_id, id),
        KEY ix_audit_actor (actor_role, actor_id, id)
      ) ${TABLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'idempotency_keys',
      'relay_leases',
      'outbox',
      'restriction_history',
      'restriction_persons',
      'restrictions',
      'courts',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
