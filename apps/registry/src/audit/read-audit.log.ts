import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { auditRow, type AuditEntry } from './audit.log';
import { AuditRecord } from './audit.record';

const FLUSH_AFTER_MS = 200;
const FLUSH_AT_ENTRIES = 100;
const MAX_ROWS_PER_INSERT = 500;
/** Entries waiting while the audit table cannot be written; beyond this, reads are refused. */
const MAX_PENDING = 20_000;
const RETRY_AFTER_MS = 1000;

/**
 * Audit of every response that shows full identifiers (a court reading its restrictions, a
 * partner reading its current set). Unlike writes, reads have no transaction to join, and an
 * INSERT + commit per read would double the work of the hottest path; so entries are buffered
 * and inserted in batches: after 200 ms or at 100 entries, and on shutdown. A crash loses at
 * most the entries not yet flushed (≤ 200 ms of reads). If the audit table cannot be written,
 * entries are kept and retried; once MAX_PENDING are waiting, further reads of identifiers are
 * refused (503) instead of going unaudited.
 */
@Injectable()
export class ReadAuditLog implements OnModuleDestroy {
  private readonly logger = new Logger(ReadAuditLog.name);
  private pending: Omit<AuditRecord, 'id'>[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Call before the identifiers are returned: throws (503) rather than let a read go unaudited. */
  record(entries: AuditEntry[], at = new Date()): void {
    if (entries.length === 0) return;
    if (this.pending.length >= MAX_PENDING) {
      throw new AppError('AUDIT_UNAVAILABLE', 'Reads of personal data cannot be audited at the moment; try again shortly.');
    }
    for (const entry of entries) this.pending.push(auditRow(entry, at));
    if (this.closed || this.pending.length >= FLUSH_AT_ENTRIES) void this.flush();
    else this.schedule(FLUSH_AFTER_MS);
  }

  /** Writes everything recorded so far (tests and shutdown wait for it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.pending.length > 0) this.logger.error(`${this.pending.length} read-audit entries could not be written before shutdown`);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, MAX_ROWS_PER_INSERT);
      try {
        // Plain multi-row INSERT: TypeORM's query builder spent milliseconds of event-loop time per
        // few hundred rows on parameter bookkeeping, at 50 rows per court list (bench/).
        await this.dataSource.query(
          `INSERT INTO audit_log (recorded_at, actor_role, actor_id, action, resource_type, resource_id, before_version, after_version, request_id, details) VALUES ?`,
          [batch.map((row) => [row.recordedAt, row.actorRole, row.actorId, row.action, row.resourceType, row.resourceId, row.beforeVersion, row.afterVersion, row.requestId, row.details])],
        );
      } catch (error) {
        this.logger.error(`read audit not written (${(error as Error).message}); ${this.pending.length} entries kept, retrying`);
        if (!this.closed) this.schedule(RETRY_AFTER_MS);
        return;
      }
      this.pending.splice(0, batch.length);
    }
  }
}
