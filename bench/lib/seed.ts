// Bulk seeding for the query benchmarks: restrictions (and an organisation's persons) are
// produced by the registry's own repository code (see inproc.ts) and written with
// multi-row INSERTs over a few connections — not through the API. The delivery ledger of
// the historical rows (published and confirmed by every obliged partner) is then derived
// in SQL, in id-ranged chunks.
import type { RestrictionState } from '@cd/domain';
import type { Connection } from 'mysql2/promise';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { RestrictionHistoryRecord } from '../../apps/registry/src/restrictions/restriction.records';
import { rawConnection, rows, type DbSettings } from './db';
import { prng, type DataGenerator } from './generator';
import type { InProcessRegistry } from './inproc';

const BATCH_ROWS = 500;
const WRITERS = 3;
const YEAR = 365 * 86_400_000;

class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  private readonly random: () => number;

  constructor(
    private readonly capacity: number,
    seed: number,
  ) {
    this.random = prng(seed);
  }

  add(item: T): void {
    this.seen++;
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < this.capacity) this.items[slot] = item;
    }
  }
}

/** Keys that exist in the seeded data, drawn uniformly, for the query benchmarks. */
export interface QuerySamples {
  /** Identifiers named by restrictions (as subject or as an organisation's person). */
  debtorIds: string[];
  /** Subject names of published active listings. */
  publicNames: string[];
  /** Subject identifiers of published active listings. */
  publicIds: string[];
  courtCases: { court: string; caseNumber: string }[];
  courtIds: { court: string; idNumber: string }[];
  hotName: string;
  hotNameActiveListings: number;
}

export class SampleCollector {
  private readonly debtorIds = new Reservoir<string>(6000, 1);
  private readonly publicNames = new Reservoir<string>(6000, 2);
  private readonly publicIds = new Reservoir<string>(6000, 3);
  private readonly courtCases = new Reservoir<{ court: string; caseNumber: string }>(6000, 4);
  private readonly courtIds = new Reservoir<{ court: string; idNumber: string }>(6000, 5);
  private hotActive = 0;

  constructor(private readonly hotName: string) {}

  add(state: RestrictionState): void {
    this.debtorIds.add(state.subject.identifier.value);
    for (const person of state.affectedPersons) this.debtorIds.add(person.identifier.value);
    this.courtCases.add({ court: state.case.courtCode, caseNumber: state.case.caseNumber });
    this.courtIds.add({ court: state.case.courtCode, idNumber: state.subject.identifier.value });
    if (state.kind === 'DISHONEST_LISTING' && state.status === 'ACTIVE' && !state.publishAfter) {
      this.publicNames.add(state.subject.name);
      this.publicIds.add(state.subject.identifier.value);
      if (state.subject.name === this.hotName) this.hotActive++;
    }
  }

  samples(): QuerySamples {
    return {
      debtorIds: this.debtorIds.items,
      publicNames: this.publicNames.items,
      publicIds: this.publicIds.items,
      courtCases: this.courtCases.items,
      courtIds: this.courtIds.items,
      hotName: this.hotName,
      hotNameActiveListings: this.hotActive,
    };
  }
}

export interface SeedResult {
  restrictions: number;
  persons: number;
  deliveries: number;
  seconds: number;
}

/**
 * Seeds `count` restrictions decided between `years` ago and an hour ago, in time order
 * (ids are UUIDv7, so the primary key grows like production's).
 */
export async function seedRestrictions(
  inproc: InProcessRegistry,
  db: DbSettings,
  generator: DataGenerator,
  collector: SampleCollector,
  options: { count: number; years?: number; withHistory?: boolean; log?: (line: string) => void },
): Promise<SeedResult> {
  const started = performance.now();
  const now = new Date();
  const span = (options.years ?? 6) * YEAR;
  const from = now.getTime() - span;
  const writers: Connection[] = [];
  for (let i = 0; i < WRITERS; i++) {
    const connection = await rawConnection(db);
    await connection.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    writers.push(connection);
  }
  const skip: EntityTarget<ObjectLiteral>[] = options.withHistory ? [] : [RestrictionHistoryRecord];
  const pending = new Map<EntityTarget<ObjectLiteral>, ObjectLiteral[]>();
  const inFlight = new Set<Promise<unknown>>();
  let next = 0;
  let written = 0;
  let persons = 0;
  let lastLog = performance.now();
  const flush = async (target: EntityTarget<ObjectLiteral>, batch: ObjectLiteral[]) => {
    const statement = inproc.insertStatement(target, batch);
    while (inFlight.size >= WRITERS) await Promise.race(inFlight);
    const writer = writers[next++ % WRITERS];
    const job = writer.query(statement.sql, statement.params).finally(() => inFlight.delete(job));
    inFlight.add(job);
  };
  let produced = 0;
  while (produced < options.count) {
    // Evenly spread over the period, slightly jittered; a decision may yield two restrictions.
    const decidedAt = new Date(Math.min(now.getTime() - 3_600_000, from + (span * produced) / options.count + Math.floor(Math.random() * 60_000)));
    const states = generator.history(decidedAt, now);
    for (const state of states) {
      collector.add(state);
      const ops = await inproc.captureRestrictionRows(state, new Date(state.liftedAt ?? state.decidedAt));
      for (const op of ops) {
        if (op.kind !== 'insert' || skip.includes(op.target)) continue;
        const list = pending.get(op.target) ?? [];
        list.push(...op.rows);
        pending.set(op.target, list);
        if (list.length >= BATCH_ROWS) {
          pending.set(op.target, []);
          await flush(op.target, list);
        }
      }
      persons += state.affectedPersons.length;
    }
    produced += states.length;
    written = produced;
    if (options.log && performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      const rate = written / ((performance.now() - started) / 1000);
      options.log(`seeded ${written.toLocaleString('en')} restrictions (${Math.round(rate).toLocaleString('en')}/s)`);
    }
  }
  // Foreign keys are not checked by these sessions, so the order of the last batches does not matter.
  for (const [target, list] of pending) if (list.length > 0) await flush(target, list);
  await Promise.all(inFlight);
  const deliveries = await seedDeliveries(writers, options.log);
  for (const writer of writers) await writer.end();
  return { restrictions: written, persons, deliveries, seconds: (performance.now() - started) / 1000 };
}

/**
 * Every seeded restriction was published to, and confirmed by, each partner obliged for its kind.
 * Derived in id-ranged chunks, one per writer connection at a time: a single INSERT … SELECT
 * runs on one core of the server.
 */
async function seedDeliveries(connections: Connection[], log?: (line: string) => void): Promise<number> {
  const chunk = 50_000;
  let after = '';
  let finished = false;
  let total = 0;
  let chunks = 0;
  // Chunk bounds are handed out in order; each writer derives the chunk it took.
  const nextRange = async (connection: Connection): Promise<{ from: string; to: string | null } | undefined> => {
    if (finished) return undefined;
    const from = after;
    const [bound] = await rows<{ id: string }>(connection, 'SELECT id FROM restrictions WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?', [from, chunk - 1]);
    if (bound) after = bound.id;
    else finished = true;
    return { from, to: bound?.id ?? null };
  };
  let claiming: Promise<unknown> = Promise.resolve();
  const claim = (connection: Connection) => {
    const range = claiming.then(() => nextRange(connection));
    claiming = range.catch(() => undefined);
    return range;
  };
  const derive = async (connection: Connection) => {
    for (let range = await claim(connection); range; range = await claim(connection)) {
      const [result] = (await connection.query(
        `INSERT IGNORE INTO deliveries
           (restriction_id, partner_id, kind, court_code, bucket, required_version, published_version, published_status,
            first_published_at, published_at, due_at, confirmed_version, confirmed_outcome, confirmed_at, imposed_confirmed_at, lift_version, lift_confirmed_at)
         SELECT r.id, p.id, r.kind, r.court_code, CRC32(r.id) % 256, r.version, r.version, r.status,
                r.created_at, r.updated_at, r.updated_at + INTERVAL 1 DAY, r.version, 'APPLIED', r.updated_at + INTERVAL 1 HOUR,
                r.created_at + INTERVAL 1 HOUR, IF(r.status = 'LIFTED', r.version, NULL), IF(r.status = 'LIFTED', r.updated_at + INTERVAL 1 HOUR, NULL)
           FROM restrictions r
           JOIN partners p ON p.active = 1 AND FIND_IN_SET(r.kind, p.kinds) > 0
          WHERE r.id > ? ${range.to ? 'AND r.id <= ?' : ''}`,
        range.to ? [range.from, range.to] : [range.from],
      )) as unknown as [{ affectedRows: number }];
      total += result.affectedRows;
      if (log && ++chunks % 20 === 0) log(`ledger rows ${total.toLocaleString('en')}`);
    }
  };
  await Promise.all(connections.map(derive));
  return total;
}
