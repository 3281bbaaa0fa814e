import { RECONCILIATION_BUCKETS, type RestrictionEvent } from '@cd/contracts';
import { Injectable } from '@nestjs/common';
import { ReadAuditLog } from '../audit/read-audit.log';
import type { Principal } from '../auth/principal';
import { DeliveryLedger } from '../deliveries/delivery-ledger';
import type { CurrentSetQuery, ReconciliationDto } from './partner-me.dto';

export interface CurrentSetPage {
  bucket: number;
  items: { restrictionId: string; kind: string; version: number; status: string; event: RestrictionEvent }[];
  nextCursor: string | null;
}

/** What a partner reads about its own obligations: the current set and reconciliation. */
@Injectable()
export class PartnerMeService {
  constructor(
    private readonly ledger: DeliveryLedger,
    private readonly readAudit: ReadAuditLog,
  ) {}

  async currentSet(query: CurrentSetQuery, principal: Principal, requestId?: string): Promise<CurrentSetPage> {
    const bucket = Number(query.bucket);
    const limit = query.limit ? Number(query.limit) : 500;
    const rows = await this.ledger.currentSet(principal.partnerId!, bucket, query.cursor ?? null, limit + 1);
    const page = rows.slice(0, limit);
    // The events carry full identifiers: one audit row per page that shows any.
    if (page.length > 0) {
      await this.readAudit.record([
        {
          actor: principal,
          action: 'partner.current-set.read',
          resourceType: 'partner',
          resourceId: principal.partnerId!,
          requestId,
          details: { bucket, cursor: query.cursor ?? null, count: page.length, last: page[page.length - 1].restrictionId },
        },
      ]);
    }
    return {
      bucket,
      items: page.map((row) => ({ restrictionId: row.restrictionId, kind: row.kind, version: row.version, status: row.status, event: JSON.parse(row.event) as RestrictionEvent })),
      nextCursor: rows.length > limit ? page[page.length - 1].restrictionId : null,
    };
  }

  async reconcile(dto: ReconciliationDto, principal: Principal): Promise<{ buckets: number; differingBuckets: number[] }> {
    const expected = await this.ledger.bucketDigests(principal.partnerId!);
    const reported = new Map(dto.buckets.map((b) => [b.bucket, b]));
    const differing: number[] = [];
    for (let bucket = 0; bucket < RECONCILIATION_BUCKETS; bucket++) {
      const mine = expected.get(bucket) ?? { count: 0, checksum: '0'.repeat(16) };
      const theirs = reported.get(bucket) ?? { count: 0, checksum: '0'.repeat(16) };
      if (mine.count !== theirs.count || mine.checksum !== theirs.checksum.toLowerCase()) differing.push(bucket);
    }
    return { buckets: RECONCILIATION_BUCKETS, differingBuckets: differing };
  }
}
