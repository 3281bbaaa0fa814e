import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, Matches } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { ApiProblems } from '../common/problem.dto';
import { OptionalNotNull } from '../common/validation';
import { COVERAGE_DIMENSIONS, SupervisionService, type CoverageDimension, type CoverageRow, type LatencyRow } from './supervision.service';

export class CoverageQuery {
  @ApiPropertyOptional({ enum: Object.keys(COVERAGE_DIMENSIONS), default: 'partner' })
  @OptionalNotNull()
  @IsIn(Object.keys(COVERAGE_DIMENSIONS))
  by?: CoverageDimension;
}

export class OverdueQuery {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'partnerId is not a valid partner id' }) partnerId?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @Matches(/^[0-9A-Z]{2,32}$/, { message: 'courtCode is not a valid court code' }) courtCode?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000 }) @OptionalNotNull() @Matches(/^(?:[1-9]\d{0,2}|1000)$/, { message: 'limit must be an integer 1–1000' }) limit?: string;
}

export class LatencyQuery {
  @ApiPropertyOptional({ description: 'Receipts received since (default: 30 days ago)' }) @OptionalNotNull() @IsISO8601({ strict: true }) since?: string;
}

@ApiTags('supervision')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('supervisor')
@Controller({ path: 'supervision', version: '1' })
export class SupervisionController {
  constructor(private readonly supervision: SupervisionService) {}

  @Get('coverage')
  @ApiOperation({ summary: 'Share of deliveries confirmed, per partner, court or kind' })
  @ApiOkResponse({ description: 'One row per partner, court or kind' })
  coverage(@Query() query: CoverageQuery): Promise<CoverageRow[]> {
    return this.supervision.coverage(query.by ?? 'partner');
  }

  @Get('overdue')
  @ApiOperation({ summary: 'Deliveries unconfirmed past their due time, oldest first' })
  @ApiOkResponse({ description: 'The overdue deliveries' })
  overdue(@Query() query: OverdueQuery) {
    return this.supervision.overdue({ partnerId: query.partnerId, courtCode: query.courtCode, limit: query.limit ? Number(query.limit) : 100 });
  }

  @Get('receipt-latency')
  @ApiOperation({ summary: 'Time from publication to receipt per partner: p50/p95 and a histogram (1 s, 10 s, 1 min, 10 min, 1 h, 1 day, 3 days, more)' })
  @ApiOkResponse({ description: 'One row per partner' })
  receiptLatency(@Query() query: LatencyQuery): Promise<LatencyRow[]> {
    return this.supervision.receiptLatency(query.since ? new Date(query.since) : new Date(Date.now() - 30 * 86_400_000));
  }
}
