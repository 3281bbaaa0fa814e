import { RECONCILIATION_BUCKETS, type RestrictionEvent } from '@cd/contracts';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/problem.dto';
import { DeliveryLedger } from '../deliveries/delivery-ledger';
import { CurrentSetQuery, ReconciliationDto } from './partner-me.dto';

export interface CurrentSetPage {
  bucket: number;
  items: { restrictionId: string; kind: string; version: number; status: string; event: RestrictionEvent }[];
  nextCursor: string | null;
}

@ApiTags('partners')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('partner')
@Controller({ path: 'partners/me', version: '1' })
export class PartnerMeController {
  constructor(private readonly ledger: DeliveryLedger) {}

  @Get('restrictions')
  @ApiOperation({ summary: 'The partner\'s authoritative current set in one bucket: latest published signed event per restriction of its kinds' })
  @ApiOkResponse({ description: 'One page of the bucket and the cursor of the next' })
  async currentSet(@Query() query: CurrentSetQuery, @CurrentPrincipal() principal: Principal): Promise<CurrentSetPage> {
    const bucket = Number(query.bucket);
    const limit = query.limit ? Number(query.limit) : 500;
    const rows = await this.ledger.currentSet(principal.partnerId!, bucket, query.cursor ?? null, limit + 1);
    const page = rows.slice(0, limit);
    return {
      bucket,
      items: page.map((row) => ({ restrictionId: row.restrictionId, kind: row.kind, version: row.version, status: row.status, event: JSON.parse(row.payload) as RestrictionEvent })),
      nextCursor: rows.length > limit ? page[page.length - 1].restrictionId : null,
    };
  }

  @Post('reconciliations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Compare per-bucket digests of the partner\'s applied set with the service\'s; answers the buckets that differ' })
  @ApiOkResponse({ description: 'The buckets whose digests differ' })
  async reconcile(@Body() dto: ReconciliationDto, @CurrentPrincipal() principal: Principal): Promise<{ buckets: number; differingBuckets: number[] }> {
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
