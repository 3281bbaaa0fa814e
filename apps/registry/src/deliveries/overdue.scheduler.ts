import { eventHeaders } from '@cd/contracts';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '../common/periodic-task';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { Metrics } from '../metrics/metrics';
import { MessageBus } from '../publishing/message-bus';

/**
 * Finds deliveries whose published version is unconfirmed past its due time, counts
 * them in metrics, and re-announces the current event — the same event, same version —
 * at most once per REANNOUNCE_AFTER_MS per restriction. Each restriction is claimed by
 * a conditional update, so several instances do not announce the same one twice.
 */
@Injectable()
export class OverdueScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OverdueScheduler.name);
  private readonly task = new PeriodicTask('overdue scan', () => this.scan(), this.logger);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly metrics: Metrics,
    private readonly cipher: FieldCipher,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.partners.overdueScanIntervalMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** One pass: refresh the overdue gauge and re-announce what is due; returns how many restrictions were re-announced. */
  async scan(now = new Date()): Promise<number> {
    const counts: { partner_id: string; n: number }[] = await this.dataSource.query(
      'SELECT partner_id, COUNT(*) AS n FROM deliveries WHERE awaiting = 1 AND due_at < ? GROUP BY partner_id',
      [now],
    );
    this.metrics.overdueDeliveries.reset();
    for (const row of counts) this.metrics.overdueDeliveries.set({ partner: row.partner_id }, Number(row.n));

    const quietSince = new Date(now.getTime() - this.config.partners.reannounceAfterMs);
    const candidates: { restriction_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT restriction_id FROM deliveries
        WHERE awaiting = 1 AND due_at < ? AND (last_announced_at IS NULL OR last_announced_at < ?)
        LIMIT 500`,
      [now, quietSince],
    );
    let announced = 0;
    for (const { restriction_id: id } of candidates) {
      const claimed: { affectedRows: number } = await this.dataSource.query(
        `UPDATE deliveries SET last_announced_at = ?, announce_count = announce_count + 1
          WHERE restriction_id = ? AND awaiting = 1 AND due_at < ? AND (last_announced_at IS NULL OR last_announced_at < ?)`,
        [now, id, now, quietSince],
      );
      if (claimed.affectedRows === 0) continue;
      const [latest]: { topic: string; event_id: string; payload: string }[] = await this.dataSource.query(
        'SELECT topic, event_id, payload FROM outbox WHERE restriction_id = ? AND published_at IS NOT NULL ORDER BY version DESC LIMIT 1',
        [id],
      );
      if (!latest) continue;
      try {
        await this.bus.publish([
          {
            topic: latest.topic,
            key: id,
            value: this.cipher.decrypt(latest.payload, contextOf.outboxPayload(latest.event_id)),
            headers: eventHeaders(latest.event_id, { reannounced: true }),
          },
        ]);
      } catch (error) {
        // One restriction that cannot be re-announced now must not hold up the others; it is tried again next time.
        this.logger.warn(`could not re-announce ${id}: ${(error as Error).message}`);
        continue;
      }
      this.metrics.reannouncements.inc();
      announced++;
    }
    if (announced > 0) this.logger.log(`re-announced ${announced} overdue restriction(s)`);
    return announced;
  }
}
