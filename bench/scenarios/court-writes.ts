// (a) Court writes: POST /v1/restrictions (a dishonest listing, which also creates its
// consumption restriction: 2 restrictions, 2 history rows, 2 outbox rows, ledger rows for
// every obliged partner, 2 audit rows, 1 idempotency row) against a raw mysql2 transaction
// writing the same rows — produced by the service's own code, see lib/inproc.ts.
import { imposeRestriction, type ImposeCommand } from '@cd/domain';
import { uuidv7 } from '@cd/contracts';
import type { PoolConnection } from 'mysql2/promise';
import type { Principal } from '../../apps/registry/src/auth/principal';
import type { ImposeRestrictionDto } from '../../apps/registry/src/restrictions/restrictions.dto';
import { RestrictionsService } from '../../apps/registry/src/restrictions/restrictions.service';
import type { BenchContext } from '../lib/context';
import { closedLoop, openLoop, statusOutcome, type LoadResult } from '../lib/http';
import { countStatements, type SqlStatement } from '../lib/inproc';

const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;

export function httpBody(command: ImposeCommand): Record<string, unknown> {
  const { courtCode: _court, ...caseInfo } = command.case;
  return { ...command, case: caseInfo };
}

/** A fresh listing request for one of the first 50 courts (each with its own token). */
export function writeRequests(ctx: BenchContext, kind: ImposeCommand['kind'] = 'DISHONEST_LISTING') {
  const courts = ctx.courts.slice(0, 50);
  const tokens = new Map(courts.map((c) => [c.code, ctx.inproc.tokens.issue({ sub: `clerk@${c.code}`, role: 'court', court: c.code }, { expiresInSeconds: 4 * 3600 })]));
  let serial = 0;
  return () => {
    const { command } = ctx.generator.imposeCommand(new Date(Date.now() - 3_600_000), kind);
    const court = courts[serial++ % courts.length];
    command.case = { ...command.case, courtCode: court.code };
    return { command, court: court.code, token: tokens.get(court.code)!, key: `bench-${process.pid}-${serial}-${uuidv7()}` };
  };
}

export async function rawTransaction(connection: PoolConnection, statements: SqlStatement[]): Promise<void> {
  await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
  await connection.query('START TRANSACTION');
  try {
    for (const statement of statements) await connection.query(statement.sql, statement.params);
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export async function courtWrites(ctx: BenchContext): Promise<void> {
  const { settings, http, report } = ctx;
  const next = writeRequests(ctx);
  const durationMs = settings.phaseSeconds * 1000;
  const post = async () => {
    const request = next();
    const response = await http.request('POST', '/v1/restrictions', {
      token: request.token,
      body: httpBody(request.command),
      headers: { 'idempotency-key': request.key },
    });
    return statusOutcome(response, 201);
  };

  ctx.log('writes: warm-up');
  await closedLoop({ concurrency: 8, durationMs: 5000, maxCount: 1500, task: post });

  ctx.log(`writes: HTTP closed loop, ${settings.writeConcurrency} concurrent, ${settings.phaseSeconds} s`);
  ctx.registry.markPhase();
  const httpClosed = await closedLoop({ concurrency: settings.writeConcurrency, durationMs, task: post });

  // Raw: the same rows, produced by the service's code (record() on a capturing manager), precomputed.
  // Enough for the raw closed loop (up to 4× the service's rate) and for the raw open loop at the target rate.
  const closedPlanned = Math.min(60_000, Math.max(2000, Math.ceil(httpClosed.throughput * settings.phaseSeconds * 4)));
  const openPlanned = Math.ceil(settings.writeRate * settings.phaseSeconds) + 100;
  const planned = closedPlanned + openPlanned;
  ctx.log(`writes: preparing ${planned} raw transactions`);
  const transactions: SqlStatement[][] = [];
  for (let i = 0; i < planned; i++) transactions.push((await rawImpose(ctx, next())).statements);
  const rawTask = async (index: number) => {
    const connection = await ctx.pool.getConnection();
    try {
      await rawTransaction(connection, transactions[index]);
      return 'ok';
    } finally {
      connection.release();
    }
  };
  ctx.log(`writes: raw closed loop, ${settings.writeConcurrency} concurrent`);
  const rawClosed = await closedLoop({ concurrency: settings.writeConcurrency, durationMs, maxCount: closedPlanned, task: (i) => rawTask(i) });
  const ratio = httpClosed.throughput / rawClosed.throughput;
  const serviceStatements = await statementsPerImpose(ctx, next());
  const rawStatements = transactions[0].length + 3; // + isolation level, START TRANSACTION, COMMIT
  report.add({
    scenario: 'a. court writes',
    name: `impose (listing + linked consumption restriction) throughput, ${settings.writeConcurrency} concurrent`,
    unit: 'req/s',
    measured: httpClosed.throughput,
    raw: rawClosed.throughput,
    ratio,
    p50: httpClosed.latency.p50,
    p95: httpClosed.latency.p95,
    p99: httpClosed.latency.p99,
    target: `≥ ${TARGET_RATIO}× raw`,
    pass: ratio >= TARGET_RATIO && httpClosed.ok > 0,
    notes: `raw p50/p99 ${rawClosed.latency.p50.toFixed(1)}/${rawClosed.latency.p99.toFixed(1)} ms; statements per impose: service ${serviceStatements}, raw ${rawStatements}; errors ${errors(httpClosed)}`,
  });

  ctx.log(`writes: HTTP open loop at ${settings.writeRate} req/s for ${settings.phaseSeconds} s`);
  const httpOpen = await openLoop({ rate: settings.writeRate, durationMs, task: post, maxInFlight: Math.max(64, settings.writeRate) });
  const rawOffset = closedPlanned;
  const rawOpen = await openLoop({ rate: settings.writeRate, durationMs, maxCount: planned - rawOffset, task: (i) => rawTask(rawOffset + i), maxInFlight: Math.max(64, settings.writeRate) });
  const achieved = httpOpen.ok / (durationMs / 1000);
  report.add({
    scenario: 'a. court writes',
    name: `impose latency at ${settings.writeRate} req/s (open loop, ${settings.phaseSeconds} s)`,
    unit: 'req/s achieved',
    measured: achieved,
    raw: rawOpen.ok / (durationMs / 1000),
    p50: httpOpen.latency.p50,
    p95: httpOpen.latency.p95,
    p99: httpOpen.latency.p99,
    target: `p99 ≤ ${TARGET_P99_MS} ms at ${settings.writeRate} req/s`,
    pass: httpOpen.latency.p99 <= TARGET_P99_MS && achieved >= settings.writeRate * 0.97,
    notes: `raw p50/p99 ${rawOpen.latency.p50.toFixed(1)}/${rawOpen.latency.p99.toFixed(1)} ms; errors ${errors(httpOpen)}`,
  });
  report.note(
    'a. court writes: the service runs its relay (publishing these changes to Kafka) and its request log at the same time, as in production; the raw transaction only writes the rows. Each statement is a round trip to MariaDB, so the statement counts in the table are the first-order cost.',
  );
  ctx.report.details.writes = { httpClosed: brief(httpClosed), rawClosed: brief(rawClosed), httpOpen: brief(httpOpen), rawOpen: brief(rawOpen), rssPeakMiB: round1(ctx.registry.phasePeakMiB()) };
}

/** Statements the service sends for one impose (counted on the in-process copy, which writes real rows). */
async function statementsPerImpose(ctx: BenchContext, request: { command: ImposeCommand; court: string; key: string }): Promise<number> {
  const service = ctx.inproc.app.get(RestrictionsService);
  const principal: Principal = { role: 'court', subject: `clerk@${request.court}`, courtCode: request.court };
  return countStatements(() => service.impose(httpBody(request.command) as unknown as ImposeRestrictionDto, { principal, idempotencyKey: request.key }));
}

/** One impose as the service would store it (2 restrictions for a listing) → statements of one raw transaction, and the restrictions' ids. */
export async function rawImpose(ctx: BenchContext, request: { command: ImposeCommand; court: string; key: string }): Promise<{ statements: SqlStatement[]; restrictionIds: string[] }> {
  const now = new Date();
  const principal: Principal = { role: 'court', subject: `clerk@${request.court}`, courtCode: request.court };
  const states = imposeRestriction(request.command, { now, newId: () => uuidv7(now.getTime()), priorListings: [] });
  const ops = [ctx.inproc.idempotencyRow(`court:${request.court}`, request.key, { ...states[0], published: true, linkedRestrictions: [] }, now)];
  ops.push(...(await ctx.inproc.captureRecord(states, principal, now)));
  return { statements: ctx.inproc.toStatements(ops), restrictionIds: states.map((state) => state.id) };
}

export function errors(result: LoadResult): string {
  const bad = Object.entries(result.outcomes).filter(([k]) => k !== 'ok');
  if (result.dropped > 0) bad.push(['not sent (too many in flight)', result.dropped]);
  return bad.length === 0 ? 'none' : bad.map(([k, v]) => `${k}×${v}`).join(', ');
}

export function brief(result: LoadResult): Record<string, unknown> {
  return {
    mode: result.mode,
    started: result.started,
    ok: result.ok,
    outcomes: result.outcomes,
    dropped: result.dropped,
    seconds: round1(result.elapsedMs / 1000),
    throughput: round1(result.throughput),
    latencyMs: { p50: round1(result.latency.p50), p95: round1(result.latency.p95), p99: round1(result.latency.p99), max: round1(result.latency.max) },
  };
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
