import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '../common/periodic-task';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PartnerDirectory } from './partner-directory';
import { PartnersRepository } from './partners.repository';

/**
 * A partner registered (or given new kinds) after restrictions were imposed becomes
 * obliged for the active ones of its kinds. Done in chunks, in the background, resuming
 * from a cursor stored on the partner, so it scales to millions of restrictions and
 * survives restarts. INSERT IGNORE makes a chunk safe to repeat.
 */
@Injectable()
export class PartnerBackfill implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PartnerBackfill.name);
  private readonly task = new PeriodicTask('partner back-fill', () => this.runPending(), this.logger);
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly partners: PartnersRepository,
    private readonly directory: PartnerDirectory,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(30_000, { immediately: true });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
  }

  /** Starts a back-fill pass now (after a partner was registered or given new kinds). */
  nudge(): void {
    this.task.trigger();
  }

  /** Runs every pending back-fill to completion; returns when none is left (for tests and tools). */
  async runPending(): Promise<void> {
    for (const pending of await this.partners.pendingBackfills()) {
      let cursor = pending.cursor;
      const due = (await this.directory.dueTimes(new Date())).get(pending.id) ?? new Date();
      for (;;) {
        if (this.stopped) return;
        cursor = await this.chunk(pending.id, pending.kinds, cursor, due);
        if (cursor === null) break;
      }
      this.logger.log(`partner ${pending.id}: obliged for every active restriction of its kinds`);
    }
  }

  private async chunk(partnerId: string, kinds: string[], after: string | null, due: Date): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      const ids: { id: string }[] = await manager.query(
        `SELECT id FROM restrictions WHERE id > ? AND status = 'ACTIVE' AND kind IN (?) ORDER BY id LIMIT ?`,
        [after ?? '', kinds, this.config.partners.backfillChunk],
      );
      if (ids.length > 0) {
        await manager.query(
          `INSERT IGNORE INTO deliveries
             (restriction_id, partner_id, kind, court_code, bucket, required_version,
              published_version, published_status, first_published_at, published_at, due_at)
           SELECT r.id, ?, r.kind, r.court_code, CRC32(r.id) % 256, r.version,
                  COALESCE(o.version, 0), IF(o.version IS NULL, NULL, 'ACTIVE'), o.published_at, o.published_at,
                  IF(o.version IS NULL, NULL, ?)
             FROM restrictions r
             LEFT JOIN outbox o ON o.id = (SELECT MAX(p.id) FROM outbox p WHERE p.restriction_id = r.id AND p.published_at IS NOT NULL)
            WHERE r.id IN (?)`,
          [partnerId, due, ids.map((row) => row.id)],
        );
      }
      const next = ids.length < this.config.partners.backfillChunk ? null : ids[ids.length - 1].id;
      await this.partners.saveBackfillProgress(manager, partnerId, next);
      return next;
    });
  }
}
