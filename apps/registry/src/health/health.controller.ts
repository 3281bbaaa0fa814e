import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { KafkaHealthIndicator } from './kafka.health';
import { OutboxHealthIndicator } from './outbox.health';
import { TopicsHealthIndicator } from './topics.health';

@ApiTags('health')
@Public()
@Controller({ path: 'health' })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly outbox: OutboxHealthIndicator,
    private readonly topics: TopicsHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process serves HTTP (no dependency is checked)' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  // A 503 answers terminus' own body ({status, info, error, details}), not problem+json:
  // probes and dashboards read that format, and the per-check details are the point of the answer.
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, Kafka, an outbox backlog younger than RELAY_BACKLOG_MAX_AGE_MS, and topics with the cleanup policies of the contract (503 with per-check details otherwise)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 1500 }),
        () => this.kafka.isReachable('kafka'),
        () => this.outbox.isKeepingUp('outbox'),
        () => this.topics.hasContractPolicies('topics'),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
