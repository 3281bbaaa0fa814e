import { Module } from '@nestjs/common';
import { KafkaMessageBus } from './kafka-message-bus';
import { MessageBus } from './message-bus';
import { OutboxRelay } from './outbox.relay';
import { OutboxWriter } from './outbox.writer';

@Module({
  providers: [{ provide: MessageBus, useClass: KafkaMessageBus }, OutboxWriter, OutboxRelay],
  exports: [MessageBus, OutboxWriter, OutboxRelay],
})
export class PublishingModule {}
