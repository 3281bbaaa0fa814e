import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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

  readonly published = new Counter({
    name: 'credit_discipline_events_published_total',
    help: 'Restriction events acknowledged by the broker',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
