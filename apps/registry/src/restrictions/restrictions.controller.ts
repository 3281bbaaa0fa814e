import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { Command, IDEMPOTENCY_HEADER, ifMatchVersion, RestrictionIdPipe, Versioned, VersionedWrite, type CommandContext } from '../common/http';
import { ApiProblems } from '../common/problem.dto';
import {
  AmendRestrictionDto,
  GrantPermissionDto,
  ImposeRestrictionDto,
  LiftRestrictionDto,
  SearchRestrictionsQuery,
} from './restrictions.dto';
import type { EnforcementReport } from '../deliveries/enforcement';
import { RestrictionsService, type RestrictionPage, type RestrictionView } from './restrictions.service';

const IF_MATCH = { required: false, description: 'The version being changed; 412 if stale.' };

@ApiTags('restrictions')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('court')
@Controller({ path: 'restrictions', version: '1' })
export class RestrictionsController {
  constructor(private readonly restrictions: RestrictionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Impose a restriction (a dishonest listing also creates its consumption restriction)' })
  @ApiCreatedResponse({ description: 'The restriction as recorded, with Location and ETag' })
  @ApiProblems(409, 422)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @Versioned((created) => `/v1/restrictions/${created.id}`)
  impose(@Body() dto: ImposeRestrictionDto, @Command() command: CommandContext): Promise<RestrictionView> {
    return this.restrictions.impose(dto, command);
  }

  @Get()
  @ApiOperation({ summary: "Search the calling court's restrictions (newest first, keyset-paged)" })
  @ApiOkResponse({ description: 'One page of restrictions and the cursor of the next' })
  search(@Query() query: SearchRestrictionsQuery, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RestrictionPage> {
    return this.restrictions.search(query, principal, request.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One restriction of the calling court' })
  @ApiOkResponse({ description: 'The restriction, with ETag: "<version>"' })
  @ApiProblems(404)
  @Versioned()
  get(@Param('id', RestrictionIdPipe) id: string, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RestrictionView> {
    return this.restrictions.get(id, principal, request.id);
  }

  @Get(':id/enforcement')
  @Roles('court', 'supervisor')
  @ApiOperation({ summary: 'Per-partner enforcement: published and confirmed versions, imposed-confirmed and lift-confirmed times' })
  @ApiOkResponse({ description: 'The enforcement report of the restriction' })
  @ApiProblems(404)
  enforcement(@Param('id', RestrictionIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<EnforcementReport> {
    return this.restrictions.enforcement(id, principal);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Correct recorded information (If-Match: <version> required)' })
  @ApiOkResponse({ description: 'The corrected restriction, with its new ETag' })
  @VersionedWrite({ required: true, description: 'The version being corrected; 412 if stale.' })
  amend(
    @Param('id', RestrictionIdPipe) id: string,
    @Body() dto: AmendRestrictionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<RestrictionView> {
    return this.restrictions.amend(id, dto, ifMatchVersion(ifMatch, true)!, command);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift (delete, revoke) a restriction with a reason valid for its kind' })
  @ApiOkResponse({ description: 'The lifted restriction, with its new ETag' })
  @VersionedWrite(IF_MATCH)
  lift(
    @Param('id', RestrictionIdPipe) id: string,
    @Body() dto: LiftRestrictionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<RestrictionView> {
    return this.restrictions.lift(id, dto, ifMatchVersion(ifMatch, false), command);
  }

  @Post(':id/permissions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Grant a time-boxed necessity permission on a consumption restriction (Consumption Rules Art. 8)' })
  @ApiCreatedResponse({ description: 'The restriction with the permission, with its new ETag' })
  @VersionedWrite(IF_MATCH)
  grantPermission(
    @Param('id', RestrictionIdPipe) id: string,
    @Body() dto: GrantPermissionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<RestrictionView> {
    return this.restrictions.grantPermission(id, dto, ifMatchVersion(ifMatch, false), command);
  }
}
