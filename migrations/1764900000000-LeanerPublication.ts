import { MigrationInterface, QueryRunner } from 'typeorm';

const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

// Publishing an event touched more than it needed to:
// - ix_outbox_head (restriction_id, published_at, id) served only the relay's head-of-line check,
//   which ux_outbox_restriction_version (restriction_id, version) answers as well (a restriction's
//   versions are written in order), so every outbox INSERT and every publication kept one more
//   secondary index up to date for nothing;
// - deliveries.published_event_id was written for every obliged partner at each publication and
//   never read (the event is found by restriction and version).
export class LeanerPublication1764900000000 implements MigrationInterface {
  name = 'LeanerPublication1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_outbox_head ON outbox');
    await q.query('ALTER TABLE deliveries DROP COLUMN published_event_id');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN published_event_id CHAR(36) ${ASCII} NULL AFTER published_status`);
    await q.query('CREATE INDEX ix_outbox_head ON outbox (restriction_id, published_at, id)');
  }
}
