import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { auditRow, type AuditEntry } from './audit.log';
import { AuditRecord } from './audit.record';

const MAX_ROWS_PER_INSERT = 500;
/** Rows waiting to be written; beyond this, reads are refused. */
const MAX_PENDING = 20_000;

interface Waiting {
  rows: Omit<AuditRecord, 'id'>[];
  done: (error?: Error) => void;
}

/**
 * Audit of every response that shows full identifiers (a court reading its restrictions, a
 * partner reading its current set, a replayed write). The response waits until its rows are
 * inserted (autocommit, so durable), and a read whose rows cannot be written is refused (503
 * AUDIT_UNAVAILABLE) rather than served unaudited. Reads have no transaction to join; to spare
 * the hottest path an INSERT + commit each, rows are group-committed: while one INSERT runs, the
 * rows of the reads arriving meanwhile gather and go in the next, one multi-row INSERT.
 */
@Injectable()
export class ReadAuditLog implements OnModuleDestroy {
  private readonly logger = new Logger(ReadAuditLog.name);
  private queue: Waiting[] = [];
  private queuedRows = 0;
  private draining?: Promise<void>;

  constructor(private readonly dataSource: DataSource) {}

  /** Resolves once the entries are written; await it before the identifiers are returned. */
  async record(entries: AuditEntry[], at = new Date()): Promise<void> {
    if (entries.length === 0) return;
    if (this.queuedRows >= MAX_PENDING) throw unavailable();
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ rows: entries.map((entry) => auditRow(entry, at)), done: (error) => (error ? reject(error) : resolve()) });
      this.queuedRows += entries.length;
      this.draining ??= this.drain();
    });
  }

  /** Resolves once everything recorded so far is written or refused. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  /** Runs while rows wait; `draining` is cleared in the same step that finds the queue empty. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      const rows = batch.flatMap((waiting) => waiting.rows);
      let failure: Error | undefined;
      try {
        for (let from = 0; from < rows.length; from += MAX_ROWS_PER_INSERT) {
          const chunk = rows.slice(from, from + MAX_ROWS_PER_INSERT);
          // Plain multi-row INSERT: TypeORM's query builder spent milliseconds of event-loop time per
          // few hundred rows on parameter bookkeeping, at 50 rows per court list (bench/).
          await this.dataSource.query(
            `INSERT INTO audit_log (recorded_at, actor_role, actor_id, action, resource_type, resource_id, before_version, after_version, request_id, details) VALUES ?`,
            [chunk.map((row) => [row.recordedAt, row.actorRole, row.actorId, row.action, row.resourceType, row.resourceId, row.beforeVersion, row.afterVersion, row.requestId, row.details])],
          );
        }
      } catch (error) {
        this.logger.error(`read audit not written (${(error as Error).message}); ${batch.length} reads refused`);
        failure = unavailable();
      }
      this.queuedRows -= rows.length;
      for (const waiting of batch) waiting.done(failure);
    }
    this.draining = undefined;
  }
}

function unavailable(): AppError {
  return new AppError('AUDIT_UNAVAILABLE', 'Reads of personal data cannot be audited at the moment; try again shortly.');
}
