import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/app-config';
import { CorrectionsModule } from '../corrections/corrections.module';
import { DebtorStatusController, PublicListController } from './inquiry.controller';
import { InquiryRepository } from './inquiry.repository';
import { InquiryService } from './inquiry.service';
import { RateLimitGuard, rateLimitOptions } from './rate-limit';

/** Debtors' own status and the public dishonest-debtor list: read-only, masked, rate-limited. */
@Module({
  imports: [ThrottlerModule.forRootAsync({ inject: [APP_CONFIG, DataSource], useFactory: rateLimitOptions }), CorrectionsModule],
  controllers: [DebtorStatusController, PublicListController],
  providers: [InquiryService, InquiryRepository, RateLimitGuard],
})
export class InquiryModule {}
