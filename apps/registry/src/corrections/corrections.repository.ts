import type { CorrectableRestriction, CorrectionRequest, CorrectionStatus } from '@cd/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export interface StoredCorrection {
  request: CorrectionRequest;
  /** Keyed hash of the debtor's identifier (the restriction's subject_id_hash). */
  debtorIdHash: Buffer;
}

export interface CorrectionSearch {
  court: { enforcing: string } | { reconsidering: string };
  status?: CorrectionStatus;
  /** is: only requests a court has not acted on by their due time at `at`; not: only the others. */
  overdue?: { at: Date; is: boolean };
  /** Keyset pagination: ids are UUIDv7, so descending id = newest first. */
  before?: string;
  limit: number;
}

// Domain field → column. Every field of CorrectionRequest is stored in its own column.
const COLUMNS = {
  id: 'id',
  restrictionId: 'restriction_id',
  restrictionVersion: 'restriction_version',
  enforcingCourtCode: 'enforcing_court_code',
  ground: 'ground',
  statement: 'statement',
  status: 'status',
  version: 'version',
  filedAt: 'filed_at',
  decisionDueAt: 'decision_due_at',
  decidedAt: 'decided_at',
  decidedBy: 'decided_by',
  decisionReason: 'decision_reason',
  carryOutDueAt: 'carry_out_due_at',
  carryOutAction: 'carry_out_action',
  carriedOutAt: 'carried_out_at',
  carriedOutBy: 'carried_out_by',
  carriedOutVersion: 'carried_out_version',
  reconsiderationDueBy: 'reconsideration_due_by',
  reconsiderationStatement: 'reconsideration_statement',
  reconsiderationFiledAt: 'reconsideration_filed_at',
  reconsiderationCourtCode: 'reconsideration_court_code',
  reconsiderationDueAt: 'reconsideration_due_at',
  reconsiderationDecidedAt: 'reconsideration_decided_at',
  reconsiderationDecidedBy: 'reconsideration_decided_by',
  reconsiderationDecision: 'reconsideration_decision',
  reconsiderationReason: 'reconsideration_reason',
} as const satisfies Record<keyof CorrectionRequest, string>;
type Field = keyof typeof COLUMNS;
const FIELDS = Object.keys(COLUMNS) as Field[];
const INSTANTS = new Set<Field>([
  'filedAt',
  'decisionDueAt',
  'decidedAt',
  'carryOutDueAt',
  'carriedOutAt',
  'reconsiderationDueBy',
  'reconsiderationFiledAt',
  'reconsiderationDueAt',
  'reconsiderationDecidedAt',
]);
/** Fixed at filing; never rewritten. */
const IMMUTABLE = new Set<Field>(['id', 'restrictionId', 'restrictionVersion', 'enforcingCourtCode', 'ground', 'statement', 'filedAt', 'decisionDueAt']);

// The same rule as isOverdue() in libs/domain: a court's pending act past its due time.
const OVERDUE = `(
  (status = 'FILED' AND decision_due_at < ?)
  OR (status IN ('ACCEPTED', 'RECONSIDERATION_ACCEPTED') AND carry_out_due_at < ?)
  OR (status = 'RECONSIDERATION_FILED' AND reconsideration_due_at < ?))`;
const CLOSED: CorrectionStatus[] = ['CARRIED_OUT', 'RECONSIDERATION_REJECTED'];

type Row = Record<string, unknown>;

@Injectable()
export class CorrectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The listing's row lock serialises filings on it, so "one open request per listing" holds under concurrency. */
  async lockRestriction(manager: EntityManager, id: string): Promise<(CorrectableRestriction & { subjectIdHash: Buffer }) | null> {
    const rows: { id: string; kind: string; status: string; version: number; court_code: string; subject_id_hash: Buffer }[] = await manager.query(
      'SELECT id, kind, status, version, court_code, subject_id_hash FROM restrictions WHERE id = ? FOR UPDATE',
      [id],
    );
    if (!rows.length) return null;
    const [row] = rows;
    return {
      id: row.id,
      kind: row.kind as CorrectableRestriction['kind'],
      status: row.status as CorrectableRestriction['status'],
      version: Number(row.version),
      courtCode: row.court_code,
      subjectIdHash: row.subject_id_hash,
    };
  }

  /** Requests on the restriction that may still be open (closed statuses excluded). */
  async notClosedFor(manager: EntityManager, restrictionId: string): Promise<CorrectionRequest[]> {
    const rows: Row[] = await manager.query('SELECT * FROM correction_requests WHERE restriction_id = ? AND status NOT IN (?)', [restrictionId, CLOSED]);
    return rows.map(toRequest);
  }

  async lock(manager: EntityManager, id: string): Promise<StoredCorrection | null> {
    const rows: Row[] = await manager.query('SELECT * FROM correction_requests WHERE id = ? FOR UPDATE', [id]);
    return rows.length ? stored(rows[0]) : null;
  }

  async findById(id: string): Promise<StoredCorrection | null> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM correction_requests WHERE id = ?', [id]);
    return rows.length ? stored(rows[0]) : null;
  }

  async forDebtor(debtorIdHash: Buffer, limit: number): Promise<CorrectionRequest[]> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM correction_requests WHERE debtor_id_hash = ? ORDER BY id DESC LIMIT ?', [debtorIdHash, limit]);
    return rows.map(toRequest);
  }

  async search(query: CorrectionSearch): Promise<CorrectionRequest[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if ('enforcing' in query.court) {
      where.push('enforcing_court_code = ?');
      params.push(query.court.enforcing);
    } else {
      where.push('reconsideration_court_code = ?');
      params.push(query.court.reconsidering);
    }
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.overdue) {
      where.push(query.overdue.is ? OVERDUE : `NOT ${OVERDUE}`);
      params.push(query.overdue.at, query.overdue.at, query.overdue.at);
    }
    if (query.before) {
      where.push('id < ?');
      params.push(query.before);
    }
    params.push(query.limit);
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM correction_requests WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, params);
    return rows.map(toRequest);
  }

  async insert(manager: EntityManager, request: CorrectionRequest, debtorIdHash: Buffer, now: Date): Promise<void> {
    const columns = FIELDS.map((field) => COLUMNS[field]);
    await manager.query(
      `INSERT INTO correction_requests (${columns.join(', ')}, debtor_id_hash, created_at, updated_at) VALUES (${columns.map(() => '?').join(', ')}, ?, ?, ?)`,
      [...FIELDS.map((field) => toColumn(request, field)), debtorIdHash, now, now],
    );
  }

  /** Saves the next version; the row lock from lock() guarantees `version - 1` is what is stored. */
  async update(manager: EntityManager, request: CorrectionRequest, now: Date): Promise<void> {
    const fields = FIELDS.filter((field) => !IMMUTABLE.has(field));
    const result: { affectedRows: number } = await manager.query(
      `UPDATE correction_requests SET ${fields.map((field) => `${COLUMNS[field]} = ?`).join(', ')}, updated_at = ? WHERE id = ? AND version = ?`,
      [...fields.map((field) => toColumn(request, field)), now, request.id, request.version - 1],
    );
    if (result.affectedRows !== 1) throw new Error(`correction request ${request.id} is not at version ${request.version - 1}`);
  }

  async appendEvent(manager: EntityManager, requestId: string, entry: TimelineEntry): Promise<void> {
    await manager.query('INSERT INTO correction_events (request_id, seq, occurred_at, actor, action, details) VALUES (?, ?, ?, ?, ?, ?)', [
      requestId,
      entry.seq,
      new Date(entry.at),
      entry.actor,
      entry.action,
      JSON.stringify(entry.details),
    ]);
  }

  async timelines(requestIds: string[], manager?: EntityManager): Promise<Map<string, TimelineEntry[]>> {
    const byRequest = new Map<string, TimelineEntry[]>(requestIds.map((id) => [id, []]));
    if (requestIds.length === 0) return byRequest;
    const rows: { request_id: string; seq: number; occurred_at: Date; actor: string; action: string; details: string | null }[] = await (manager ?? this.dataSource).query(
      'SELECT request_id, seq, occurred_at, actor, action, details FROM correction_events WHERE request_id IN (?) ORDER BY request_id, seq',
      [requestIds],
    );
    for (const row of rows) {
      byRequest.get(row.request_id)?.push({
        seq: Number(row.seq),
        at: row.occurred_at.toISOString(),
        actor: row.actor,
        action: row.action,
        details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {},
      });
    }
    return byRequest;
  }
}

function toColumn(request: CorrectionRequest, field: Field): unknown {
  const value = request[field];
  if (value === undefined) return null;
  return INSTANTS.has(field) ? new Date(value as string) : value;
}

function toRequest(row: Row): CorrectionRequest {
  const request: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = row[COLUMNS[field]];
    if (value === null || value === undefined) continue;
    request[field] = INSTANTS.has(field) ? (value as Date).toISOString() : value;
  }
  return request as unknown as CorrectionRequest;
}

function stored(row: Row): StoredCorrection {
  return { request: toRequest(row), debtorIdHash: row.debtor_id_hash as Buffer };
}
