import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MessageBus } from '../publishing/message-bus';

/** Kafka answers a metadata request within HEALTH_KAFKA_TIMEOUT_MS. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: MessageBus,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isReachable(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const timeoutMs = this.config.health.kafkaTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.bus.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
