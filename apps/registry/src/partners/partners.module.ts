import { Module } from '@nestjs/common';
import { PartnerBackfill } from './partner-backfill';
import { PartnerMeController } from './partner-me.controller';
import { PartnerMeService } from './partner-me.service';
import { PartnersController } from './partners.controller';
import { PartnersService } from './partners.service';

@Module({ controllers: [PartnersController, PartnerMeController], providers: [PartnersService, PartnerMeService, PartnerBackfill] })
export class PartnersModule {}
