import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/problem.dto';
import { CurrentSetQuery, ReconciliationDto } from './partner-me.dto';
import { PartnerMeService, type CurrentSetPage } from './partner-me.service';

@ApiTags('partners')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('partner')
@Controller({ path: 'partners/me', version: '1' })
export class PartnerMeController {
  constructor(private readonly partnerMe: PartnerMeService) {}

  @Get('restrictions')
  @ApiOperation({ summary: 'The partner\'s authoritative current set in one bucket: latest published signed event per restriction of its kinds' })
  @ApiOkResponse({ description: 'One page of the bucket and the cursor of the next' })
  currentSet(@Query() query: CurrentSetQuery, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<CurrentSetPage> {
    return this.partnerMe.currentSet(query, principal, request.id);
  }

  @Post('reconciliations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Compare per-bucket digests of the partner\'s applied set with the service\'s; answers the buckets that differ' })
  @ApiOkResponse({ description: 'The buckets whose digests differ' })
  reconcile(@Body() dto: ReconciliationDto, @CurrentPrincipal() principal: Principal): Promise<{ buckets: number; differingBuckets: number[] }> {
    return this.partnerMe.reconcile(dto, principal);
  }
}
