import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { Command, IDEMPOTENCY_HEADER, ifMatchVersion, RestrictionIdPipe, withEtag, type CommandContext } from '../common/http';
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
  async impose(
    @Body() dto: ImposeRestrictionDto,
    @Command() command: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RestrictionView> {
    const created = await this.restrictions.impose(dto, command);
    void reply.header('location', `/v1/restrictions/${created.id}`);
    return withEtag(reply, created);
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
  async get(
    @Param('id', RestrictionIdPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RestrictionView> {
    return withEtag(reply, await this.restrictions.get(id, principal, request.id));
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
  @ApiProblems(404, 409, 412, 422, 428)
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version being corrected; 412 if stale.' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  async amend(
    @Param('id', RestrictionIdPipe) id: string,
    @Body() dto: AmendRestrictionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RestrictionView> {
    return withEtag(reply, await this.restrictions.amend(id, dto, ifMatchVersion(ifMatch, true)!, command));
  }

  @Post(':id/lift')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift (delete, revoke) a restriction with a reason valid for its kind' })
  @ApiOkResponse({ description: 'The lifted restriction, with its new ETag' })
  @ApiProblems(404, 409, 412, 422)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader(IDEMPOTENCY_HEADER)
  async lift(
    @Param('id', RestrictionIdPipe) id: string,
    @Body() dto: LiftRestrictionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RestrictionView> {
    return withEtag(reply, await this.restrictions.lift(id, dto, ifMatchVersion(ifMatch, false), command));
  }

  @Post(':id/permissions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Grant a time-boxed necessity permission on a consumption restriction (Consumption Rules Art. 8)' })
  @ApiCreatedResponse({ description: 'The restriction with the permission, with its new ETag' })
  @ApiProblems(404, 409, 412, 422)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader(IDEMPOTENCY_HEADER)
  async grantPermission(
    @Param('id', RestrictionIdPipe) id: string,
    @Body() dto: GrantPermissionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RestrictionView> {
    return withEtag(reply, await this.restrictions.grantPermission(id, dto, ifMatchVersion(ifMatch, false), command));
  }
}
