import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblem, ApiProblems } from '../common/problem.dto';
import { PublicListQuery } from './inquiry.dto';
import { InquiryService, type DebtorStatus, type PublicListPage } from './inquiry.service';
import { RateLimited, TOO_MANY } from './rate-limit';

@ApiTags('debtor')
@ApiBearerAuth()
@ApiProblems(401, 403)
@Roles('debtor')
@RateLimited('debtor')
@Controller({ path: 'me', version: '1' })
export class DebtorStatusController {
  constructor(private readonly inquiry: InquiryService) {}

  @Get('status')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: "The caller's own restrictions (as debtor or as an organisation's named person): terms, what ends them, per-partner enforcement and lift confirmation",
  })
  @ApiOkResponse({ description: "The caller's restrictions and their enforcement" })
  @ApiProblem(429, TOO_MANY)
  status(@CurrentPrincipal() principal: Principal): Promise<DebtorStatus> {
    return this.inquiry.debtorStatus(principal);
  }
}

@ApiTags('public')
@Public()
@RateLimited('public')
@Controller({ path: 'public/dishonest-debtors', version: '1' })
export class PublicListController {
  constructor(private readonly inquiry: InquiryService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Published dishonest-debtor listings (List Rules Art. 6/7) by exact name and/or full identifier; person ID numbers masked' })
  @ApiOkResponse({ description: 'One page of published listings, person ID numbers masked' })
  @ApiProblems(400)
  @ApiProblem(429, TOO_MANY)
  search(@Query() query: PublicListQuery): Promise<PublicListPage> {
    return this.inquiry.searchPublicList(query);
  }
}
