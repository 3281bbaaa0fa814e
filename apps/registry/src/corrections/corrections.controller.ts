import { Body, Controller, Get, Headers, HttpCode, Injectable, Param, Post, Query, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { Command, IDEMPOTENCY_HEADER, ifMatchVersion, Versioned, VersionedWrite, type CommandContext } from '../common/http';
import { ApiProblem, ApiProblems } from '../common/problem.dto';
import { RateLimited, TOO_MANY } from '../inquiry/rate-limit';
import { CarryOutDto, DecisionDto, FileCorrectionDto, FileReconsiderationDto, ListCorrectionsQuery } from './corrections.dto';
import { CorrectionsService, type CorrectionPage, type CorrectionView } from './corrections.service';

const IF_MATCH = { required: false, description: "The correction request's version; 412 if stale." };

@Injectable()
export class CorrectionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)) {
      throw new AppError('VALIDATION_FAILED', 'Correction request id must be a lower-case UUID.', [{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }]);
    }
    return value;
  }
}

@ApiTags('corrections')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@ApiProblem(429, TOO_MANY)
@Roles('debtor')
@RateLimited('debtor')
@Controller({ path: 'me/corrections', version: '1' })
export class MyCorrectionsController {
  constructor(private readonly corrections: CorrectionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Ask the enforcing court to correct my dishonest listing (List Rules Art. 11)' })
  @ApiCreatedResponse({ description: 'The correction request as filed, with Location and ETag' })
  @ApiProblems(404, 409, 422)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @Versioned((filed) => `/v1/me/corrections/${filed.id}`)
  file(@Body() dto: FileCorrectionDto, @Command() command: CommandContext): Promise<CorrectionView> {
    return this.corrections.file(dto, command);
  }

  @Get()
  @ApiOperation({ summary: 'My correction requests, newest first: status, deadlines, timeline' })
  @ApiOkResponse({ description: 'My correction requests' })
  list(@CurrentPrincipal() principal: Principal): Promise<CorrectionView[]> {
    return this.corrections.mine(principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of my correction requests' })
  @ApiOkResponse({ description: 'The correction request, with ETag' })
  @ApiProblems(404)
  @Versioned()
  get(@Param('id', CorrectionIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<CorrectionView> {
    return this.corrections.mineOne(id, principal);
  }

  @Post(':id/reconsideration')
  @HttpCode(200)
  @ApiOperation({ summary: 'Seek reconsideration of a rejection at the next higher court, within 10 days (List Rules Art. 12)' })
  @ApiOkResponse({ description: 'The correction request, with its new ETag' })
  @VersionedWrite(IF_MATCH)
  reconsideration(
    @Param('id', CorrectionIdPipe) id: string,
    @Body() dto: FileReconsiderationDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CorrectionView> {
    return this.corrections.fileReconsideration(id, dto, ifMatchVersion(ifMatch, false), command);
  }
}

@ApiTags('corrections')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('court')
@Controller({ path: 'corrections', version: '1' })
export class CorrectionsController {
  constructor(private readonly corrections: CorrectionsService) {}

  @Get()
  @ApiOperation({ summary: "Correction requests on the calling court's listings (newest first); overdue=true for those past their due time" })
  @ApiOkResponse({ description: 'One page of correction requests' })
  list(@Query() query: ListCorrectionsQuery, @CurrentPrincipal() principal: Principal): Promise<CorrectionPage> {
    return this.corrections.search(query, principal, 'enforcing');
  }

  @Get('reconsiderations')
  @ApiOperation({ summary: 'Requests whose reconsideration the calling court (the next higher court) hears' })
  @ApiOkResponse({ description: 'One page of correction requests' })
  reconsiderations(@Query() query: ListCorrectionsQuery, @CurrentPrincipal() principal: Principal): Promise<CorrectionPage> {
    return this.corrections.search(query, principal, 'reconsidering');
  }

  @Get(':id')
  @ApiOperation({ summary: 'One correction request (enforcing court, or the court hearing its reconsideration)' })
  @ApiOkResponse({ description: 'The correction request, with ETag' })
  @ApiProblems(404)
  @Versioned()
  get(@Param('id', CorrectionIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<CorrectionView> {
    return this.corrections.get(id, principal);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enforcing court: accept or reject within 15 days (List Rules Art. 12)' })
  @ApiOkResponse({ description: 'The decided correction request, with its new ETag' })
  @VersionedWrite(IF_MATCH)
  decide(
    @Param('id', CorrectionIdPipe) id: string,
    @Body() dto: DecisionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CorrectionView> {
    return this.corrections.decide(id, dto, ifMatchVersion(ifMatch, false), command);
  }

  @Post(':id/carry-out')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enforcing court: revoke, amend or delete the listing as accepted, within 3 working days' })
  @ApiOkResponse({ description: 'The carried-out correction request, with its new ETag' })
  @VersionedWrite(IF_MATCH)
  carryOut(
    @Param('id', CorrectionIdPipe) id: string,
    @Body() dto: CarryOutDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CorrectionView> {
    return this.corrections.carryOut(id, dto, ifMatchVersion(ifMatch, false), command);
  }

  @Post(':id/reconsideration-decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Next higher court: accept or reject the reconsideration within 15 days' })
  @ApiOkResponse({ description: 'The decided correction request, with its new ETag' })
  @VersionedWrite(IF_MATCH)
  decideReconsideration(
    @Param('id', CorrectionIdPipe) id: string,
    @Body() dto: DecisionDto,
    @Command() command: CommandContext,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<CorrectionView> {
    return this.corrections.decideReconsideration(id, dto, ifMatchVersion(ifMatch, false), command);
  }
}
