import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toView, type DeliveryRow, type DeliveryView } from '../deliveries/delivery-ledger';

export const COVERAGE_DIMENSIONS = { partner: 'partner_id', court: 'court_code', kind: 'kind' } as const;
export type CoverageDimension = keyof typeof COVERAGE_DIMENSIONS;

export interface CoverageRow {
  key: string;
  deliveries: number;
  published: number;
  confirmed: number;
  overdue: number;
  /** Share of published deliveries whose latest published version is confirmed. */
  coverage: number | null;
}

export interface LatencyRow {
  partnerId: string;
  receipts: number;
  p50Ms: number;
  p95Ms: number;
}

/** What the supervising bodies need to see: who enforces, who is late, how fast. */
@Injectable()
export class SupervisionService {
  constructor(private readonly dataSource: DataSource) {}

  async coverage(by: CoverageDimension, now = new Date()): Promise<CoverageRow[]> {
    const column = COVERAGE_DIMENSIONS[by];
    const rows: { k: string; total: string; published: string; confirmed: string; overdue: string }[] = await this.dataSource.query(
      `SELECT ${column} AS k, COUNT(*) AS total,
              SUM(published_version > 0) AS published,
              SUM(published_version > 0 AND confirmed_version >= published_version) AS confirmed,
              SUM(awaiting = 1 AND due_at < ?) AS overdue
         FROM deliveries GROUP BY ${column} ORDER BY ${column}`,
      [now],
    );
    return rows.map((row) => {
      const published = Number(row.published);
      const confirmed = Number(row.confirmed);
      return { key: row.k, deliveries: Number(row.total), published, confirmed, overdue: Number(row.overdue), coverage: published ? confirmed / published : null };
    });
  }

  async overdue(filter: { partnerId?: string; courtCode?: string; limit: number }, now = new Date()): Promise<(DeliveryView & { restrictionId: string; kind: string; courtCode: string })[]> {
    const where = ['awaiting = 1', 'due_at < ?'];
    const params: unknown[] = [now];
    if (filter.partnerId) {
      where.push('partner_id = ?');
      params.push(filter.partnerId);
    }
    if (filter.courtCode) {
      where.push('court_code = ?');
      params.push(filter.courtCode);
    }
    const rows: DeliveryRow[] = await this.dataSource.query(`SELECT * FROM deliveries WHERE ${where.join(' AND ')} ORDER BY due_at LIMIT ?`, [...params, filter.limit]);
    return rows.map((row) => ({ restrictionId: row.restriction_id, kind: row.kind, courtCode: row.court_code, ...toView(row, now.getTime()) }));
  }

  /** Time from publication to receipt, per partner, over receipts received since `since`. */
  async receiptLatency(since: Date): Promise<LatencyRow[]> {
    const rows: { partner_id: string; latency_ms: string }[] = await this.dataSource.query(
      'SELECT partner_id, latency_ms FROM receipts WHERE received_at >= ? AND latency_ms IS NOT NULL ORDER BY partner_id, latency_ms LIMIT 1000000',
      [since],
    );
    const byPartner = new Map<string, number[]>();
    for (const row of rows) {
      const list = byPartner.get(row.partner_id) ?? [];
      list.push(Number(row.latency_ms));
      byPartner.set(row.partner_id, list);
    }
    return [...byPartner].map(([partnerId, sorted]) => ({ partnerId, receipts: sorted.length, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) }));
  }
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}
