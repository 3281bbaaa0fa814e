import { AuditRecord } from '../audit/audit.record';
import { IdempotencyRecord } from '../common/idempotency.record';
import { CourtRecord } from '../courts/court.record';
import { OutboxRecord } from '../publishing/outbox.record';
import { RestrictionHistoryRecord, RestrictionPersonRecord, RestrictionRecord } from '../restrictions/restriction.records';

export const ENTITIES = [
  CourtRecord,
  RestrictionRecord,
  RestrictionPersonRecord,
  RestrictionHistoryRecord,
  OutboxRecord,
  IdempotencyRecord,
  AuditRecord,
];
