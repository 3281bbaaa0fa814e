import { bucketOf, RECONCILIATION_BUCKETS, type BucketDigest } from '@cd/contracts';
import type { RestrictionState } from '@cd/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { derivedRows, param } from '../database/derived-rows';

export interface PublishedVersion {
  restrictionId: string;
  version: number;
  status: string;
}

export interface DeliveryView {
  partnerId: string;
  requiredVersion: number;
  publishedVersion: number;
  publishedAt: string | null;
  dueAt: string | null;
  confirmedVersion: number;
  confirmedOutcome: string | null;
  confirmedAt: string | null;
  partnerReference: string | null;
  failedVersion: number | null;
  failureReason: string | null;
  imposedConfirmedAt: string | null;
  liftVersion: number | null;
  liftConfirmedAt: string | null;
  announceCount: number;
  overdue: boolean;
}

interface DeliveryRow {
  restriction_id: string;
  partner_id: string;
  kind: string;
  court_code: string;
  required_version: number;
  published_version: number;
  published_at: Date | null;
  due_at: Date | null;
  confirmed_version: number;
  confirmed_outcome: string | null;
  confirmed_at: Date | null;
  partner_reference: string | null;
  failed_version: number | null;
  failure_reason: string | null;
  imposed_confirmed_at: Date | null;
  lift_version: number | null;
  lift_confirmed_at: Date | null;
  announce_count: number;
}

/**
 * The delivery ledger (guarantee 4): one row per (restriction, obliged partner) with the
 * version required, published and confirmed. A receipt for version n satisfies every
 * earlier version, so only the highest confirmed version is kept.
 */
@Injectable()
export class DeliveryLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
  ) {}

  /**
   * In the command's transaction: every partner obliged now owes a receipt for these versions.
   * Rows of existing restrictions move to the new version (also a deactivated partner's, which still
   * owes the lift); partners newly obliged get a row. A restriction created in this transaction has
   * no rows yet, so it needs only the INSERT.
   */
  async obligeForChanges(manager: EntityManager, changes: { state: RestrictionState; created: boolean }[]): Promise<void> {
    if (changes.length === 0) return;
    for (const { state } of changes.filter((c) => !c.created)) {
      await manager.query('UPDATE deliveries SET required_version = ? WHERE restriction_id = ? AND required_version < ?', [state.version, state.id, state.version]);
    }
    const states = changes.map((c) => c.state);
    await manager.query(
      `INSERT IGNORE INTO deliveries (restriction_id, partner_id, kind, court_code, bucket, required_version)
       SELECT x.rid, p.id, x.kind, x.court, x.bucket, x.v
         FROM (${derivedRows(states.length, { rid: param.asciiKey, kind: param.asciiKey, court: param.asciiKey, bucket: param.unsigned, v: param.unsigned })}) x
         JOIN partners p ON p.active = 1 AND FIND_IN_SET(x.kind, p.kinds) > 0`,
      states.flatMap((state) => [state.id, state.kind, state.case.courtCode, bucketOf(state.id), state.version]),
    );
  }

  /**
   * In the relay's transaction, after the broker acknowledged: the versions are now out, receipts fall due.
   * A partner may have confirmed the version already (intake accepts it once released): a lift recorded
   * here that the confirmed version covers is confirmed as of that receipt. The lift-confirmed assignment
   * reads no column this statement sets: a multi-table UPDATE does not promise the order of its assignments.
   */
  async recordPublished(manager: EntityManager, published: PublishedVersion[], publishedAt: Date, dueAt: Map<string, Date>): Promise<void> {
    if (published.length === 0) return;
    const versions = derivedRows(published.length, { rid: param.asciiKey, v: param.unsigned, st: param.asciiKey });
    const dueCases = [...dueAt.keys()].map(() => 'WHEN ? THEN ?').join(' ');
    await manager.query(
      `UPDATE deliveries d
         JOIN (${versions}) x ON d.restriction_id = x.rid
          SET d.published_version = x.v,
              d.published_status = x.st,
              d.first_published_at = COALESCE(d.first_published_at, ?),
              d.published_at = ?,
              d.due_at = ${dueCases ? `CASE d.partner_id ${dueCases} ELSE ? END` : '?'},
              d.lift_confirmed_at = IF(x.st = 'LIFTED' AND d.lift_confirmed_at IS NULL AND d.confirmed_version >= x.v, d.confirmed_at, d.lift_confirmed_at),
              d.lift_version = IF(x.st = 'LIFTED' AND d.lift_version IS NULL, x.v, d.lift_version)
        WHERE d.published_version < x.v`,
      [
        ...published.flatMap((p) => [p.restrictionId, p.version, p.status]),
        publishedAt,
        publishedAt,
        ...[...dueAt].flatMap(([partnerId, due]) => [partnerId, due]),
        publishedAt,
      ],
    );
  }

  async forRestriction(restrictionId: string): Promise<DeliveryView[]> {
    return (await this.forRestrictions([restrictionId])).get(restrictionId) ?? [];
  }

  /** The ledger rows of several restrictions in one query, by restriction id (each list ordered by partner). */
  async forRestrictions(restrictionIds: string[]): Promise<Map<string, DeliveryView[]>> {
    const byRestriction = new Map<string, DeliveryView[]>();
    if (restrictionIds.length === 0) return byRestriction;
    const rows: DeliveryRow[] = await this.dataSource.query('SELECT * FROM deliveries WHERE restriction_id IN (?) ORDER BY restriction_id, partner_id', [restrictionIds]);
    const now = Date.now();
    for (const row of rows) {
      const views = byRestriction.get(row.restriction_id) ?? [];
      views.push(toView(row, now));
      byRestriction.set(row.restriction_id, views);
    }
    return byRestriction;
  }

  /** The partner's authoritative current set in one bucket, keyset-paged by restriction id; `event` is the decrypted signed event. */
  async currentSet(partnerId: string, bucket: number, after: string | null, limit: number): Promise<{ restrictionId: string; kind: string; version: number; status: string; event: string }[]> {
    return (
      await this.dataSource.query(
        `SELECT d.restriction_id, d.kind, d.published_version, d.published_status, o.event_id, o.payload
           FROM deliveries d
           JOIN outbox o ON o.restriction_id = d.restriction_id AND o.version = d.published_version
          WHERE d.partner_id = ? AND d.bucket = ? AND d.published_version > 0 AND d.restriction_id > ?
          ORDER BY d.restriction_id
          LIMIT ?`,
        [partnerId, bucket, after ?? '', limit],
      )
    ).map((row: { restriction_id: string; kind: string; published_version: number; published_status: string; event_id: string; payload: string }) => ({
      restrictionId: row.restriction_id,
      kind: row.kind,
      version: row.published_version,
      status: row.published_status,
      event: this.cipher.decrypt(row.payload, contextOf.outboxPayload(row.event_id)),
    }));
  }

  /**
   * Per-bucket digests of what the partner should hold: (restriction id, published version)
   * of every restriction published to it whose latest state is ACTIVE. Same definition as
   * bucketDigests() in @cd/contracts, computed by the database.
   */
  async bucketDigests(partnerId: string): Promise<Map<number, BucketDigest>> {
    const rows: { bucket: number; n: number; x: string }[] = await this.dataSource.query(
      `SELECT bucket, COUNT(*) AS n,
              LOWER(LPAD(HEX(BIT_XOR(CAST(CONV(SUBSTRING(SHA2(CONCAT(restriction_id, ':', published_version), 256), 1, 16), 16, 10) AS UNSIGNED))), 16, '0')) AS x
         FROM deliveries
        WHERE partner_id = ? AND published_version > 0 AND published_status = 'ACTIVE'
        GROUP BY bucket`,
      [partnerId],
    );
    return new Map(rows.map((row) => [Number(row.bucket), { count: Number(row.n), checksum: row.x }]));
  }

  static readonly buckets = RECONCILIATION_BUCKETS;
}

export function toView(row: DeliveryRow, now: number): DeliveryView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    partnerId: row.partner_id,
    requiredVersion: row.required_version,
    publishedVersion: row.published_version,
    publishedAt: iso(row.published_at),
    dueAt: iso(row.due_at),
    confirmedVersion: row.confirmed_version,
    confirmedOutcome: row.confirmed_outcome,
    confirmedAt: iso(row.confirmed_at),
    partnerReference: row.partner_reference,
    failedVersion: row.failed_version,
    failureReason: row.failure_reason,
    imposedConfirmedAt: iso(row.imposed_confirmed_at),
    liftVersion: row.lift_version,
    liftConfirmedAt: iso(row.lift_confirmed_at),
    announceCount: row.announce_count,
    overdue: row.published_version > row.confirmed_version && row.due_at !== null && row.due_at.getTime() < now,
  };
}

export type { DeliveryRow };
