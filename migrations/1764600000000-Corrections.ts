import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

// Correction requests on the dishonest-debtor list (List Rules Arts. 11–12) and their
// timeline. The debtor is stored only as the keyed hash of its identifier (the same
// HMAC as restrictions.subject_id_hash). Overdue lists are index ranges per court,
// status and due time. correction_events.seq equals the request's version after the
// change, so the primary key also refuses a lost update of the timeline.
export class Corrections1764600000000 implements MigrationInterface {
  name = 'Corrections1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE correction_requests (
        id CHAR(36) ${ASCII} NOT NULL,
        restriction_id CHAR(36) ${ASCII} NOT NULL,
        restriction_version INT UNSIGNED NOT NULL,
        enforcing_court_code VARCHAR(32) ${ASCII} NOT NULL,
        debtor_id_hash BINARY(32) NOT NULL,
        ground VARCHAR(32) ${ASCII} NOT NULL,
        statement TEXT NOT NULL,
        status VARCHAR(32) ${ASCII} NOT NULL,
        filed_at DATETIME(3) NOT NULL,
        decision_due_at DATETIME(3) NOT NULL,
        decided_at DATETIME(3) NULL,
        decided_by VARCHAR(120) NULL,
        decision_reason TEXT NULL,
        carry_out_due_at DATETIME(3) NULL,
        carry_out_action VARCHAR(16) ${ASCII} NULL,
        carried_out_at DATETIME(3) NULL,
        carried_out_by VARCHAR(120) NULL,
        carried_out_version INT UNSIGNED NULL,
        reconsideration_due_by DATETIME(3) NULL,
        reconsideration_statement TEXT NULL,
        reconsideration_filed_at DATETIME(3) NULL,
        reconsideration_court_code VARCHAR(32) ${ASCII} NULL,
        reconsideration_due_at DATETIME(3) NULL,
        reconsideration_decided_at DATETIME(3) NULL,
        reconsideration_decided_by VARCHAR(120) NULL,
        reconsideration_decision VARCHAR(16) ${ASCII} NULL,
        reconsideration_reason TEXT NULL,
        version INT UNSIGNED NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        KEY ix_corrections_restriction (restriction_id, status),
        KEY ix_corrections_debtor (debtor_id_hash, id),
        KEY ix_corrections_court (enforcing_court_code, id),
        KEY ix_corrections_court_decision_due (enforcing_court_code, status, decision_due_at),
        KEY ix_corrections_court_carry_out_due (enforcing_court_code, status, carry_out_due_at),
        KEY ix_corrections_reconsideration (reconsideration_court_code, status, reconsideration_due_at),
        CONSTRAINT fk_corrections_restriction FOREIGN KEY (restriction_id) REFERENCES restrictions (id),
        CONSTRAINT fk_corrections_court FOREIGN KEY (enforcing_court_code) REFERENCES courts (code),
        CONSTRAINT fk_corrections_reconsideration_court FOREIGN KEY (reconsideration_court_code) REFERENCES courts (code)
      ) ${TABLE}`);

    await q.query(`
      CREATE TABLE correction_events (
        request_id CHAR(36) ${ASCII} NOT NULL,
        seq INT UNSIGNED NOT NULL,
        occurred_at DATETIME(3) NOT NULL,
        actor VARCHAR(120) NOT NULL,
        action VARCHAR(40) ${ASCII} NOT NULL,
        details LONGTEXT NULL,
        PRIMARY KEY (request_id, seq),
        CONSTRAINT fk_correction_events_request FOREIGN KEY (request_id) REFERENCES correction_requests (id)
      ) ${TABLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS correction_events');
    await q.query('DROP TABLE IF EXISTS correction_requests');
  }
}
