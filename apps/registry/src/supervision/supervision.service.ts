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
  /** The partner's or court's name; null for a kind or an unknown key. */
  name: string | null;
}

export interface LatencyRow {
  partnerId: string;
  partnerName: string | null;
  receipts: number;
  p50Ms: number;
  p95Ms: number;
  /** Receipts per latency bucket: `upToMs` is the bucket's inclusive upper bound, null for the last, open one. */
  histogram: { upToMs: number | null; count: number }[];
}

/** Upper bounds of the time-to-receipt histogram: 1 s, 10 s, 1 min, 10 min, 1 h, 1 day, 3 days, then more. */
export const LATENCY_BUCKETS_MS = [1_000, 10_000, 60_000, 600_000, 3_600_000, 86_400_000, 259_200_000] as const;

type Named = { partner_name: string | null; court_name: string | null };

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
    const names = by === 'kind' ? new Map<string, string>() : by === 'partner' ? await this.partnerNames() : await this.courtNames();
    return rows.map((row) => {
      const published = Number(row.published);
      const confirmed = Number(row.confirmed);
      return {
        key: row.k,
        deliveries: Number(row.total),
        published,
        confirmed,
        overdue: Number(row.overdue),
        coverage: published ? confirmed / published : null,
        name: names.get(row.k) ?? null,
      };
    });
  }

  async overdue(
    filter: { partnerId?: string; courtCode?: string; limit: number },
    now = new Date(),
  ): Promise<(DeliveryView & { restrictionId: string; kind: string; courtCode: string; partnerName: string | null; courtName: string | null })[]> {
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
    const rows: (DeliveryRow & Named)[] = await this.dataSource.query(
      `SELECT d.*, p.name AS partner_name, c.name AS court_name
         FROM deliveries d LEFT JOIN partners p ON p.id = d.partner_id LEFT JOIN courts c ON c.code = d.court_code
        WHERE ${where.map((condition) => `d.${condition}`).join(' AND ')} ORDER BY d.due_at LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map((row) => ({
      restrictionId: row.restriction_id,
      kind: row.kind,
      courtCode: row.court_code,
      partnerName: row.partner_name,
      courtName: row.court_name,
      ...toView(row, now.getTime()),
    }));
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
    const names = await this.partnerNames();
    return [...byPartner].map(([partnerId, sorted]) => ({
      partnerId,
      partnerName: names.get(partnerId) ?? null,
      receipts: sorted.length,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      histogram: histogram(sorted),
    }));
  }

  private async partnerNames(): Promise<Map<string, string>> {
    const rows: { id: string; name: string }[] = await this.dataSource.query('SELECT id, name FROM partners');
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  private async courtNames(): Promise<Map<string, string>> {
    const rows: { code: string; name: string }[] = await this.dataSource.query('SELECT code, name FROM courts');
    return new Map(rows.map((row) => [row.code, row.name]));
  }
}

/** Counts of an ascending list per LATENCY_BUCKETS_MS bucket, plus the open last bucket. */
export function histogram(sorted: number[]): { upToMs: number | null; count: number }[] {
  const counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  for (const value of sorted) {
    const index = LATENCY_BUCKETS_MS.findIndex((bound) => value <= bound);
    counts[index === -1 ? LATENCY_BUCKETS_MS.length : index]++;
  }
  return counts.map((count, i) => ({ upToMs: i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : null, count }));
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}
