import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { measureOutboxBacklog, type OutboxBacklog } from '../publishing/outbox-backlog';

/** Prometheus metrics of this instance (its own registry, so several instances can share a process in tests). */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly receipts = new Counter({
    name: 'credit_discipline_receipts_total',
    help: 'Receipts processed, by outcome and result (ACCEPTED, DUPLICATE, REJECTED_<reason>)',
    labelNames: ['outcome', 'result'] as const,
    registers: [this.registry],
  });

  readonly overdueDeliveries = new Gauge({
    name: 'credit_discipline_overdue_deliveries',
    help: 'Deliveries whose published version is unconfirmed past its due time, by partner',
    labelNames: ['partner'] as const,
    registers: [this.registry],
  });

  readonly reannouncements = new Counter({
    name: 'credit_discipline_reannouncements_total',
    help: 'Overdue restriction versions re-announced to partners',
    registers: [this.registry],
  });

  readonly topicPolicyMismatch = new Gauge({
    name: 'credit_discipline_topic_cleanup_policy_mismatch',
    help: "1 for each of the service's topics whose cleanup.policy differs from the contract (architecture.md), by topic",
    labelNames: ['topic', 'expected', 'actual'] as const,
    registers: [this.registry],
  });

  readonly published = new Counter({
    name: 'credit_discipline_events_published_total',
    help: 'Restriction events acknowledged by the broker',
    registers: [this.registry],
  });

  readonly shedRequests = new Counter({
    name: 'credit_discipline_http_shed_total',
    help: 'Requests answered 503 OVERLOADED because HTTP_MAX_IN_FLIGHT requests were already in progress',
    registers: [this.registry],
  });

  readonly relayStep = new Histogram({
    name: 'credit_discipline_relay_step_seconds',
    help: "Time of the relay's steps per batch: select (due rows, head of line), decrypt, send (until the broker acknowledged), mark (published rows and ledger, one transaction, including its commit), and within it mark_outbox and mark_ledger (the two UPDATEs)",
    labelNames: ['step'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  // Read from the database on scrape; the three gauges share one query per scrape.
  readonly outboxBacklog: Gauge = new Gauge({
    name: 'credit_discipline_outbox_backlog',
    help: 'Unpublished outbox rows that are due: events the relay has yet to send (NaN if the database did not answer)',
    registers: [this.registry],
    collect: async () => this.outboxBacklog.set((await this.readOutbox())?.due ?? NaN),
  });

  readonly outboxHeld: Gauge = new Gauge({
    name: 'credit_discipline_outbox_held',
    help: 'Unpublished outbox rows held until later (grace period)',
    registers: [this.registry],
    collect: async () => this.outboxHeld.set((await this.readOutbox())?.held ?? NaN),
  });

  readonly publishLag: Gauge = new Gauge({
    name: 'credit_discipline_outbox_publish_lag_seconds',
    help: 'Age of the oldest due, unpublished outbox row (0 when the relay is caught up)',
    registers: [this.registry],
    collect: async () => {
      const backlog = await this.readOutbox();
      this.publishLag.set(backlog ? backlog.oldestDueAgeMs / 1000 : NaN);
    },
  });

  readonly httpRequestDuration = new Histogram({
    name: 'credit_discipline_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private outboxReading?: { at: number; backlog: Promise<OutboxBacklog | undefined> };

  constructor(private readonly dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** `route` is the route pattern (`/v1/restrictions/:id`), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  private readOutbox(): Promise<OutboxBacklog | undefined> {
    const now = Date.now();
    if (!this.outboxReading || now - this.outboxReading.at > 1000) {
      this.outboxReading = { at: now, backlog: measureOutboxBacklog(this.dataSource).catch(() => undefined) };
    }
    return this.outboxReading.backlog;
  }
}
