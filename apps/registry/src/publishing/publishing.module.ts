import { Module } from '@nestjs/common';
import { EventKeysController } from './event-keys.controller';
import { EventSigner } from './event-signer';
import { KafkaMessageBus } from './kafka-message-bus';
import { MessageBus } from './message-bus';
import { OutboxRelay } from './outbox.relay';
import { OutboxWriter } from './outbox.writer';
import { TopicProvisioner } from './topic-provisioner';

@Module({
  controllers: [EventKeysController],
  providers: [{ provide: MessageBus, useClass: KafkaMessageBus }, EventSigner, OutboxWriter, OutboxRelay, TopicProvisioner],
  exports: [MessageBus, EventSigner, OutboxWriter, OutboxRelay, TopicProvisioner],
})
export class PublishingModule {}
