import { Module } from '@nestjs/common';
import { CourtsModule } from '../courts/courts.module';
import { PublishingModule } from '../publishing/publishing.module';
import { RestrictionsModule } from '../restrictions/restrictions.module';
import { Clock } from './clock';
import { CorrectionsController, MyCorrectionsController } from './corrections.controller';
import { CorrectionsRepository } from './corrections.repository';
import { CorrectionsService } from './corrections.service';

@Module({
  imports: [RestrictionsModule, CourtsModule, PublishingModule],
  controllers: [MyCorrectionsController, CorrectionsController],
  providers: [CorrectionsService, CorrectionsRepository, Clock],
  exports: [CorrectionsService],
})
export class CorrectionsModule {}
