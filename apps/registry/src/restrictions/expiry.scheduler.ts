import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RestrictionsRepository } from './restrictions.repository';
import { RestrictionsService } from './restrictions.service';

/**
 * Ends fixed-term listings (and exit bans with an end date) at their term with
 * TERM_EXPIRED. Safe with several instances: each expiry locks the row and
 * re-checks it, so exactly one instance records the lift.
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private readonly task = new PeriodicTask('expiry pass', () => this.expireDue(), this.logger);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly restrictions: RestrictionsRepository,
    private readonly service: RestrictionsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.expiry.enabled) this.task.start(this.config.expiry.intervalMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** Expires everything due now; returns how many this instance expired. */
  async expireDue(now = new Date()): Promise<number> {
    let expired = 0;
    try {
      for (;;) {
        const due = await this.restrictions.dueForExpiry(now, 200);
        let progressed = 0;
        for (const id of due) if (await this.service.expire(id)) progressed++;
        expired += progressed;
        if (due.length < 200 || progressed === 0) break;
      }
    } catch (error) {
      this.logger.warn(`expiry pass failed: ${(error as Error).message}`);
    }
    if (expired > 0) this.logger.log(`expired ${expired} restriction(s) at their term`);
    return expired;
  }
}
