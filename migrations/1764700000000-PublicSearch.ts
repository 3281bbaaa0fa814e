import { MigrationInterface, QueryRunner } from 'typeorm';

// The public list is searched by exact name among active listings (List Rules Art. 7).
// A 64-character prefix keeps the key short; the query compares the full name.
export class PublicSearch1764700000000 implements MigrationInterface {
  name = 'PublicSearch1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX ix_restrictions_public_name ON restrictions (kind, status, subject_name(64))');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_restrictions_public_name ON restrictions');
  }
}
