import { Module } from '@nestjs/common';
import { PublishingModule } from '../publishing/publishing.module';
import { OverdueScheduler } from '../deliveries/overdue.scheduler';
import { ReceiptsConsumer } from './receipts.consumer';
import { ReceiptsController } from './receipts.controller';
import { ReceiptsService } from './receipts.service';

@Module({
  imports: [PublishingModule],
  controllers: [ReceiptsController],
  providers: [ReceiptsService, ReceiptsConsumer, OverdueScheduler],
})
export class ReceiptsModule {}
