import type { DataSource } from 'typeorm';

export interface OutboxBacklog {
  /** Unpublished rows already due: what the relay has yet to send. */
  due: number;
  /** Unpublished rows held until later (grace period): not a backlog yet. */
  held: number;
  /** How long the oldest due row has been waiting, by the database's clock; 0 when nothing is due. */
  oldestDueAgeMs: number;
}

/** One indexed scan of the unpublished rows (ix_outbox_pending), shared by readiness and metrics. */
export async function measureOutboxBacklog(dataSource: DataSource): Promise<OutboxBacklog> {
  const [row]: { due: string | number | null; held: string | number | null; oldest_due_age_us: string | number | null }[] = await dataSource.query(
    `SELECT SUM(available_at <= UTC_TIMESTAMP(3)) AS due,
            SUM(available_at > UTC_TIMESTAMP(3)) AS held,
            TIMESTAMPDIFF(MICROSECOND, MIN(IF(available_at <= UTC_TIMESTAMP(3), available_at, NULL)), UTC_TIMESTAMP(3)) AS oldest_due_age_us
       FROM outbox
      WHERE published_at IS NULL`,
  );
  return {
    due: Number(row?.due ?? 0),
    held: Number(row?.held ?? 0),
    oldestDueAgeMs: Math.max(0, Math.floor(Number(row?.oldest_due_age_us ?? 0) / 1000)),
  };
}
