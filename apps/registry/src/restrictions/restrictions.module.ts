import { Module } from '@nestjs/common';
import { CourtsModule } from '../courts/courts.module';
import { PublishingModule } from '../publishing/publishing.module';
import { ExpiryScheduler } from './expiry.scheduler';
import { RestrictionsController } from './restrictions.controller';
import { RestrictionsRepository } from './restrictions.repository';
import { RestrictionsService } from './restrictions.service';

@Module({
  imports: [CourtsModule, PublishingModule],
  controllers: [RestrictionsController],
  providers: [RestrictionsService, RestrictionsRepository, ExpiryScheduler],
  exports: [RestrictionsService],
})
export class RestrictionsModule {}
