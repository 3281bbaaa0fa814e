import { Module } from '@nestjs/common';
import { PublishingModule } from '../publishing/publishing.module';
import { OverdueScheduler } from '../deliveries/overdue.scheduler';
import { ReceiptBodyRejections } from './receipt-body-rejections';
import { ReceiptVerifier } from './receipt-verifier';
import { ReceiptsConsumer } from './receipts.consumer';
import { ReceiptsController } from './receipts.controller';
import { ReceiptsService } from './receipts.service';

@Module({
  imports: [PublishingModule],
  controllers: [ReceiptsController],
  providers: [ReceiptsService, ReceiptBodyRejections, ReceiptVerifier, ReceiptsConsumer, OverdueScheduler],
})
export class ReceiptsModule {}
