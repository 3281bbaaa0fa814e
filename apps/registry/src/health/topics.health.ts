import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { TopicProvisioner } from '../publishing/topic-provisioner';

/**
 * The service's topics have the cleanup policies of the contract. Down on a mismatch: a restriction
 * topic that deletes instead of compacting loses the state a new partner rebuilds from. Not yet
 * checked (Kafka unreachable since start-up) is up here; the kafka check reports that.
 */
@Injectable()
export class TopicsHealthIndicator {
  constructor(
    private readonly topics: TopicProvisioner,
    private readonly indicators: HealthIndicatorService,
  ) {}

  hasContractPolicies(key: string): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const { checked, mismatches, lastError } = this.topics.status;
    if (mismatches.length === 0) return indicator.up({ checked, ...(lastError ? { lastError } : {}) });
    return indicator.down({
      checked,
      mismatches,
      message: mismatches.map((m) => `${m.topic}: cleanup.policy=${m.actual}, expected ${m.expected}`).join('; '),
    });
  }
}
