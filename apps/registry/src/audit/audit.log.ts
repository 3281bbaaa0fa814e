import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AuditRecord } from './audit.record';

export interface AuditEntry {
  actor: Principal | 'system';
  action: string;
  resourceType: string;
  resourceId: string;
  beforeVersion?: number;
  afterVersion?: number;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** Append-only record of every write, written in the same transaction as the write itself. */
@Injectable()
export class AuditLog {
  async append(manager: EntityManager, entries: AuditEntry[], at = new Date()): Promise<void> {
    if (entries.length === 0) return;
    await manager.insert(AuditRecord, entries.map((entry) => auditRow(entry, at)));
  }
}

export function auditRow(entry: AuditEntry, at: Date): Omit<AuditRecord, 'id'> {
  return {
    recordedAt: at,
    actorRole: entry.actor === 'system' ? 'system' : entry.actor.role,
    actorId: entry.actor === 'system' ? 'system' : entry.actor.subject,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    beforeVersion: entry.beforeVersion ?? null,
    afterVersion: entry.afterVersion ?? null,
    requestId: entry.requestId ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  };
}
