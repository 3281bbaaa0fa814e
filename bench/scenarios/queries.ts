// (d) Queries at the seeded size: the debtor's own status, the public list by name and by
// identifier (and by one deliberately common name), the court's search by case number and
// by identifier, and the court's newest active listings. Each is driven over HTTP at a fixed
// rate with keys drawn from the seeded data (distinct keys, so mostly cold pages), then the
// same SQL the repositories send (captured from the registry's code, see inproc.ts) is
// replayed raw over mysql2 at the same rate, and EXPLAINed.
import { DeliveryLedger } from '../../apps/registry/src/deliveries/delivery-ledger';
import { InquiryRepository } from '../../apps/registry/src/inquiry/inquiry.repository';
import { InquiryService } from '../../apps/registry/src/inquiry/inquiry.service';
import type { BenchContext } from '../lib/context';
import { rows } from '../lib/db';
import { describeDisk, probeDisk } from '../lib/disk';
import { openLoop, statusOutcome, type LoadResult } from '../lib/http';
import { countStatements, type SqlStatement } from '../lib/inproc';
import type { ExplainRow } from '../lib/report';
import { brief, errors } from './court-writes';

const TARGET_P99_MS = 20;
const TARGET_GROWTH = 1.5;

interface QueryCase {
  name: string;
  /** HTTP request for sample i. */
  http: (i: number) => { path: string; token?: string };
  /** The statements the registry runs for sample i (captured, not executed). */
  sql: (i: number) => Promise<SqlStatement[]>;
  /** Follow-up statements driven by the first statement's rows (debtor status: the ledger per restriction). */
  followUp?: (rows: Record<string, unknown>[]) => Promise<SqlStatement[]>;
  keys: number;
}

export type QueryResults = Map<string, { http: LoadResult; raw: LoadResult }>;

function idOfState(state: unknown): string | undefined {
  try {
    return (JSON.parse(String(state)) as { id?: string }).id;
  } catch {
    return undefined; // not JSON (e.g. ciphertext): the follow-up cannot be derived raw
  }
}

export async function queries(ctx: BenchContext, size: number, previous?: QueryResults): Promise<QueryResults> {
  const { settings, report, inproc } = ctx;
  const samples = ctx.collector.samples();
  const inquiry = inproc.app.get(InquiryRepository);
  const ledger = inproc.app.get(DeliveryLedger);
  const courtToken = new Map<string, string>();
  const tokenFor = (court: string) => {
    if (!courtToken.has(court)) courtToken.set(court, inproc.tokens.issue({ sub: `clerk@${court}`, role: 'court', court }, { expiresInSeconds: 4 * 3600 }));
    return courtToken.get(court)!;
  };
  const half = <T>(items: T[], second: boolean) => (second ? items.slice(Math.floor(items.length / 2)) : items.slice(0, Math.floor(items.length / 2)));
  const at = <T>(items: T[], i: number) => items[i % items.length];
  const deliveriesTemplate = (await inproc.captureQueries(() => ledger.forRestriction('00000000-0000-0000-0000-000000000000')))[0];
  const debtorTokens = new Map<string, string>();
  const busiest = ctx.courts[0].code;

  const cases: QueryCase[] = [
    {
      name: 'debtor status (GET /v1/me/status)',
      keys: samples.debtorIds.length,
      http: (i) => {
        const id = at(half(samples.debtorIds, false), i);
        if (!debtorTokens.has(id)) debtorTokens.set(id, inproc.tokens.issue({ sub: `debtor-${id.slice(-4)}`, role: 'debtor', identifier: id }, { expiresInSeconds: 4 * 3600 }));
        return { path: '/v1/me/status', token: debtorTokens.get(id) };
      },
      sql: (i) => inproc.captureQueries(() => inquiry.concerning(at(half(samples.debtorIds, true), i), 201)),
      followUp: async (found) =>
        found.flatMap((row) => {
          const id = typeof row.id === 'string' ? row.id : idOfState(row.state);
          return id ? [{ sql: deliveriesTemplate.sql, params: [id] }] : [];
        }),
    },
    {
      name: 'public list by name',
      keys: samples.publicNames.length,
      http: (i) => ({ path: `/v1/public/dishonest-debtors?name=${encodeURIComponent(at(half(samples.publicNames, false), i))}` }),
      sql: (i) => inproc.captureQueries(() => inquiry.publishedListings({ name: at(half(samples.publicNames, true), i), offset: 0, limit: 21 }, new Date())),
    },
    {
      name: 'public list by identifier',
      keys: samples.publicIds.length,
      http: (i) => ({ path: `/v1/public/dishonest-debtors?idNumber=${at(half(samples.publicIds, false), i)}` }),
      sql: (i) => inproc.captureQueries(() => inquiry.publishedListings({ identifierValue: at(half(samples.publicIds, true), i), offset: 0, limit: 21 }, new Date())),
    },
    {
      name: `public list by a common name (${samples.hotName}: ${samples.hotNameActiveListings.toLocaleString('en')} active listings seeded)`,
      keys: 1,
      http: () => ({ path: `/v1/public/dishonest-debtors?name=${encodeURIComponent(samples.hotName)}` }),
      sql: () => inproc.captureQueries(() => inquiry.publishedListings({ name: samples.hotName, offset: 0, limit: 21 }, new Date())),
    },
    {
      name: 'court search by case number',
      keys: samples.courtCases.length,
      http: (i) => {
        const c = at(half(samples.courtCases, false), i);
        return { path: `/v1/restrictions?caseNumber=${encodeURIComponent(c.caseNumber)}`, token: tokenFor(c.court) };
      },
      sql: (i) => {
        const c = at(half(samples.courtCases, true), i);
        return inproc.captureQueries(() => inproc.restrictions.search({ courtCode: c.court, caseNumber: c.caseNumber, limit: 51 }));
      },
    },
    {
      name: 'court search by identifier',
      keys: samples.courtIds.length,
      http: (i) => {
        const c = at(half(samples.courtIds, false), i);
        return { path: `/v1/restrictions?idNumber=${c.idNumber}`, token: tokenFor(c.court) };
      },
      sql: (i) => {
        const c = at(half(samples.courtIds, true), i);
        return inproc.captureQueries(() => inproc.restrictions.search({ courtCode: c.court, idNumber: c.idNumber, limit: 51 }));
      },
    },
    {
      name: `court list: newest active listings of the busiest court (${busiest})`,
      keys: 1,
      http: () => ({ path: '/v1/restrictions?kind=DISHONEST_LISTING&status=ACTIVE', token: tokenFor(busiest) }),
      sql: () => inproc.captureQueries(() => inproc.restrictions.search({ courtCode: busiest, kind: 'DISHONEST_LISTING', status: 'ACTIVE', limit: 51 })),
    },
  ];

  // Statements per debtor-status request (the registry's own service, in process, on 50 seeded debtors).
  const inquiryService = inproc.app.get(InquiryService);
  const debtorSample = samples.debtorIds.slice(0, 50);
  const statements = await countStatements(async () => {
    for (const identifier of debtorSample) await inquiryService.debtorStatus({ role: 'debtor', subject: 'bench', identifier });
  });
  const debtorStatements = statements / Math.max(1, debtorSample.length);

  // The disk's own limit, measured now: a key whose pages are not cached costs a few such reads.
  const disk = await probeDisk(ctx.pool, settings.dbName, 'restrictions');
  const [{ bytes }] = await rows<{ bytes: string }>(ctx.pool, "SELECT SUM(data_length + index_length) AS bytes FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name IN ('restrictions', 'restriction_persons', 'deliveries')");
  const [{ pool: poolBytes }] = await rows<{ pool: string }>(ctx.pool, 'SELECT @@innodb_buffer_pool_size AS pool');
  report.note(
    `queries @${compact(size)}: restrictions, persons and ledger take ${(Number(bytes) / 2 ** 30).toFixed(1)} GiB against a ${(Number(poolBytes) / 2 ** 30).toFixed(0)} GiB buffer pool; the disk: ${describeDisk(disk)}`,
  );
  ctx.report.details[`disk@${size}`] = { dataGiB: Number(bytes) / 2 ** 30, bufferPoolGiB: Number(poolBytes) / 2 ** 30, probe: disk };

  const results: QueryResults = new Map();
  const durationMs = settings.querySeconds * 1000;
  const count = Math.ceil(settings.queryRate * settings.querySeconds);
  for (const c of cases) {
    ctx.log(`queries @${size.toLocaleString('en')}: ${c.name}`);
    // EXPLAIN the SQL of one key.
    const sample = await c.sql(0);
    const explained: SqlStatement[] = [...sample];
    if (c.followUp && sample[0]) {
      const [found] = (await ctx.pool.query(sample[0].sql, sample[0].params)) as unknown as [Record<string, unknown>[]];
      explained.push(...(await c.followUp(found)).slice(0, 1));
    }
    for (const statement of explained) {
      const plan = await rows<ExplainRow>(ctx.pool, `EXPLAIN ${statement.sql}`, statement.params);
      const scans = plan.filter((r) => r.type === 'ALL' && !String(r.table).startsWith('<'));
      report.explains.push({ size, query: c.name, sql: statement.sql, plan, indexed: scans.length === 0 });
    }
    const indexed = report.explains.filter((e) => e.size === size && e.query === c.name).every((e) => e.indexed);

    ctx.registry.markPhase();
    const http = await openLoop({
      rate: settings.queryRate,
      durationMs,
      maxInFlight: 500,
      task: async (i) => {
        const request = c.http(i);
        return statusOutcome(await ctx.http.request('GET', request.path, { token: request.token }), 200);
      },
    });
    const prepared: SqlStatement[][] = [];
    for (let i = 0; i < Math.min(count, c.keys); i++) prepared.push(await c.sql(i));
    const raw = await openLoop({
      rate: settings.queryRate,
      durationMs,
      maxInFlight: 500,
      task: async (i) => {
        const statements = prepared[i % prepared.length];
        const [found] = (await ctx.pool.query(statements[0].sql, statements[0].params)) as unknown as [Record<string, unknown>[]];
        for (const s of statements.slice(1)) await ctx.pool.query(s.sql, s.params);
        if (c.followUp) for (const s of await c.followUp(found)) await ctx.pool.query(s.sql, s.params);
        return 'ok';
      },
    });
    results.set(c.name, { http, raw });
    const before = previous?.get(c.name);
    const growth = before ? http.latency.p99 / before.http.latency.p99 : undefined;
    report.add({
      scenario: `d. queries @${compact(size)}`,
      name: c.name,
      unit: 'req/s',
      measured: http.throughput,
      raw: raw.throughput,
      p50: http.latency.p50,
      p95: http.latency.p95,
      p99: http.latency.p99,
      target: `p99 ≤ ${TARGET_P99_MS} ms${before ? `, ≤ ${TARGET_GROWTH}× the smaller size` : ''}; no full scan`,
      pass: http.latency.p99 <= TARGET_P99_MS && indexed && (growth === undefined || growth <= TARGET_GROWTH) && http.ok > 0,
      notes: `${c === cases[0] ? `${debtorStatements.toFixed(1)} statements per request (the restrictions, then their ledger rows in one query); ` : ''}raw SQL p50/p99 ${raw.latency.p50.toFixed(1)}/${raw.latency.p99.toFixed(1)} ms; EXPLAIN ${indexed ? 'index access only' : 'FULL SCAN'}${growth ? `; p99 growth ×${growth.toFixed(2)}` : ''}; errors ${errors(http)}`,
    });
  }
  ctx.report.details[`queries@${size}`] = Object.fromEntries([...results].map(([name, r]) => [name, { http: brief(r.http), raw: brief(r.raw) }]));
  return results;
}

export function compact(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}
