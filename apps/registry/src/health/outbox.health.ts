import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { measureOutboxBacklog } from '../publishing/outbox-backlog';

/**
 * The relay keeps up: no due outbox row has waited longer than RELAY_BACKLOG_MAX_AGE_MS.
 * The counts are reported either way. A stalled relay anywhere (Kafka down, lease stuck)
 * makes every instance unready, which is the point: changes are accepted but not distributed.
 */
@Injectable()
export class OutboxHealthIndicator {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isKeepingUp(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const maxAgeMs = this.config.health.relayBacklogMaxAgeMs;
    try {
      const backlog = await measureOutboxBacklog(this.dataSource);
      const details = { ...backlog, maxAgeMs };
      return backlog.oldestDueAgeMs > maxAgeMs
        ? indicator.down({ ...details, message: `the oldest due event has waited ${backlog.oldestDueAgeMs} ms (limit ${maxAgeMs} ms)` })
        : indicator.up(details);
    } catch (error) {
      return indicator.down({ message: `backlog unknown: ${(error as Error).message}`, maxAgeMs });
    }
  }
}
