import { MigrationInterface, QueryRunner } from 'typeorm';

// Per-client rate-limit counters shared by every instance: one row per (route and client, minute).
export class RateLimitCounters1766304000000 implements MigrationInterface {
  name = 'RateLimitCounters1766304000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rate_limit_counters (
      counter_key VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      window_start BIGINT NOT NULL,
      hits INT UNSIGNED NOT NULL,
      PRIMARY KEY (counter_key, window_start),
      INDEX ix_rate_limit_counters_window (window_start)
    ) ENGINE=InnoDB`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rate_limit_counters');
  }
}
