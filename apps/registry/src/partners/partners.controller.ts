import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { TokenIdPipe } from '../common/http';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/problem.dto';
import type { Partner } from './partner';
import { PartnerKeyDto, RegisterPartnerDto, UpdatePartnerDto } from './partners.dto';
import { PartnersService } from './partners.service';

@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Roles('admin')
@Controller({ path: 'admin/partners', version: '1' })
export class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a partner: sector, kinds it must enforce, receipt deadline, Ed25519 public key(s)' })
  @ApiCreatedResponse({ description: 'The registered partner' })
  @ApiProblems(409)
  register(@Body() dto: RegisterPartnerDto, @CurrentPrincipal() principal: Principal): Promise<Partner> {
    return this.partners.register(dto, principal);
  }

  @Get()
  @ApiOperation({ summary: 'Every registered partner, active or not' })
  @ApiOkResponse({ description: 'The partners' })
  list(): Promise<Partner[]> {
    return this.partners.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One partner: sector, kinds, deadline, keys' })
  @ApiOkResponse({ description: 'The partner' })
  @ApiProblems(404)
  get(@Param('id', TokenIdPipe) id: string): Promise<Partner> {
    return this.partners.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, kinds, deadline; active: false deactivates' })
  @ApiOkResponse({ description: 'The changed partner' })
  @ApiProblems(404)
  update(@Param('id', TokenIdPipe) id: string, @Body() dto: UpdatePartnerDto, @CurrentPrincipal() principal: Principal): Promise<Partner> {
    return this.partners.update(id, dto, principal);
  }

  @Post(':id/keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a public key (rotation: add the new key, then revoke the old one)' })
  @ApiCreatedResponse({ description: 'The partner with the new key' })
  @ApiProblems(404, 409)
  addKey(@Param('id', TokenIdPipe) id: string, @Body() dto: PartnerKeyDto, @CurrentPrincipal() principal: Principal): Promise<Partner> {
    return this.partners.addKey(id, dto, principal);
  }

  @Delete(':id/keys/:keyId')
  @ApiOperation({ summary: 'Revoke a public key: receipts signed with it are rejected from now on' })
  @ApiOkResponse({ description: 'The partner with the key revoked' })
  @ApiProblems(404)
  revokeKey(@Param('id', TokenIdPipe) id: string, @Param('keyId', TokenIdPipe) keyId: string, @CurrentPrincipal() principal: Principal): Promise<Partner> {
    return this.partners.revokeKey(id, keyId, principal);
  }
}
