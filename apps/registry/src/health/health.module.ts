import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PublishingModule } from '../publishing/publishing.module';
import { HealthController } from './health.controller';
import { KafkaHealthIndicator } from './kafka.health';
import { OutboxHealthIndicator } from './outbox.health';
import { TopicsHealthIndicator } from './topics.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), PublishingModule],
  controllers: [HealthController],
  providers: [KafkaHealthIndicator, OutboxHealthIndicator, TopicsHealthIndicator],
})
export class HealthModule {}
