// The registry's own code, loaded in the bench process (no HTTP server, no relay, no
// consumers): seeding and the raw baselines produce their rows through the service's
// repositories, outbox writer, ledger and audit log — so the storage format (hashes
// today, ciphertext if a field cipher is added to those code paths or to the entities'
// column transformers) is exactly the service's. The rows are captured instead of being
// written, then written in bulk (multi-row INSERTs converted column by column from the same
// entity metadata as TypeORM does, so column transformers apply too).
import type { RestrictionChange } from '@cd/contracts';
import type { RestrictionState } from '@cd/domain';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';
import { createApp } from '../../apps/registry/src/app';
import type { Principal } from '../../apps/registry/src/auth/principal';
import { TokenService } from '../../apps/registry/src/auth/token.service';
import { IdempotencyRecord } from '../../apps/registry/src/common/idempotency.record';
import { IdentifierHasher } from '../../apps/registry/src/common/identifier-hasher';
import { loadConfig, type AppConfig } from '../../apps/registry/src/config/app-config';
import { RestrictionsService } from '../../apps/registry/src/restrictions/restrictions.service';
import { RestrictionsRepository } from '../../apps/registry/src/restrictions/restrictions.repository';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';

export type CapturedOp =
  | { kind: 'insert'; target: EntityTarget<ObjectLiteral>; rows: ObjectLiteral[] }
  | { kind: 'query'; sql: string; params: unknown[] };

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/**
 * An EntityManager that records what the registry's code would write. Anything it does
 * not know (a new EntityManager method used by a repository) fails loudly, so the bench
 * never silently writes rows in a format the service cannot read.
 */
export function captureManager(ops: CapturedOp[]): EntityManager {
  const known: Record<string, unknown> = {
    insert: async (target: EntityTarget<ObjectLiteral>, values: ObjectLiteral | ObjectLiteral[]) => {
      const rows = Array.isArray(values) ? values : [values];
      ops.push({ kind: 'insert', target, rows });
      return { identifiers: [], generatedMaps: [], raw: { affectedRows: rows.length } };
    },
    query: async (sql: string, params: unknown[] = []) => {
      ops.push({ kind: 'query', sql, params });
      return /^\s*select/i.test(sql) ? [] : { affectedRows: 0 };
    },
  };
  return new Proxy(known, {
    get(target, property) {
      if (typeof property === 'string' && property in target) return target[property];
      if (property === 'then' || typeof property === 'symbol') return undefined;
      throw new Error(`bench capture: the registry's code called EntityManager.${String(property)}; teach bench/lib/inproc.ts to record it`);
    },
  }) as unknown as EntityManager;
}

export class InProcessRegistry {
  readonly dataSource: DataSource;
  readonly tokens: TokenService;
  readonly hasher: IdentifierHasher;
  readonly restrictions: RestrictionsRepository;
  private readonly service: RestrictionsService;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
  ) {
    this.dataSource = app.get(DataSource);
    this.tokens = new TokenService(config);
    this.hasher = app.get(IdentifierHasher);
    this.restrictions = app.get(RestrictionsRepository);
    this.service = app.get(RestrictionsService);
  }

  /** Same environment as the registry process, minus everything that runs in the background. */
  static async start(env: NodeJS.ProcessEnv): Promise<InProcessRegistry> {
    const config = loadConfig({
      ...env,
      RELAY_ENABLED: 'false',
      RECEIPTS_CONSUMER_ENABLED: 'false',
      EXPIRY_ENABLED: 'false',
      OVERDUE_SCAN_INTERVAL_MS: '86400000',
      LOG_LEVEL: 'warn',
      INSTANCE_ID: 'bench-tool',
      DB_POOL_SIZE: '8',
    });
    const app = await createApp(config);
    await app.init();
    return new InProcessRegistry(app, config);
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  /**
   * Everything RestrictionsService writes when it records a new restriction: restriction,
   * persons, history, outbox (signed event), ledger obligations and audit row — by calling
   * the service's own `record` on a capturing manager. The states of one command (a listing and
   * its linked restriction) are recorded together, as the service does.
   */
  async captureRecord(states: RestrictionState[], principal: Principal, now: Date): Promise<CapturedOp[]> {
    const ops: CapturedOp[] = [];
    const changes = states.map((after) => ({ after, change: 'imposed' as RestrictionChange }));
    await this.service['record'](captureManager(ops), changes, { principal }, now);
    return ops;
  }

  /** The restriction's own rows only (restrictions, persons, history), as the repository writes them. */
  async captureRestrictionRows(state: RestrictionState, now: Date): Promise<CapturedOp[]> {
    const ops: CapturedOp[] = [];
    await this.restrictions.insert(captureManager(ops), [{ state, history: { change: 'imposed', eventId: '00000000-0000-7000-8000-000000000000', actor: 'bench:seed' } }], now);
    return ops;
  }

  /** The idempotency row a command leaves behind (final state: status 200 and the response). */
  idempotencyRow(principal: string, key: string, response: unknown, now: Date): CapturedOp {
    return {
      kind: 'insert',
      target: IdempotencyRecord,
      rows: [{ principal, idemKey: key, requestHash: 'b'.repeat(64), statusCode: 200, response: JSON.stringify(response), createdAt: now }],
    };
  }

  /**
   * Multi-row INSERT for rows of one entity, converted column by column exactly as TypeORM
   * persists them (the column's transformer, then the driver's preparePersistentValue), but
   * without the query builder's per-parameter bookkeeping, which dominated bulk seeding.
   */
  insertStatement(target: EntityTarget<ObjectLiteral>, rows: ObjectLiteral[]): SqlStatement {
    const metadata = this.dataSource.getMetadata(target);
    const driver = this.dataSource.driver;
    const columns = metadata.columns.filter((column) => !column.isVirtual && rows.some((row) => row[column.propertyName] !== undefined));
    const values = rows.map((row) =>
      columns.map((column) => {
        const given = row[column.propertyName];
        if (given === undefined) return column.default ?? null;
        return driver.preparePersistentValue(column.transformer ? ApplyValueTransformers.transformTo(column.transformer, given) : given, column);
      }),
    );
    return { sql: `INSERT INTO \`${metadata.tableName}\` (${columns.map((c) => `\`${c.databaseName}\``).join(', ')}) VALUES ?`, params: [values] };
  }

  /**
   * Captured operations as the fewest statements that write the same rows: inserts grouped
   * per table in first-seen order (one multi-row INSERT each), followed by the captured raw
   * statements that insert (the ledger's INSERT … SELECT); no-op UPDATEs of new rows are left out.
   */
  toStatements(ops: CapturedOp[], options: { skip?: EntityTarget<ObjectLiteral>[] } = {}): SqlStatement[] {
    const grouped = new Map<EntityTarget<ObjectLiteral>, ObjectLiteral[]>();
    const raw: SqlStatement[] = [];
    for (const op of ops) {
      if (op.kind === 'insert') {
        if (options.skip?.includes(op.target)) continue;
        const rows = grouped.get(op.target) ?? [];
        rows.push(...op.rows);
        grouped.set(op.target, rows);
      } else if (/^\s*insert/i.test(op.sql)) {
        raw.push({ sql: op.sql, params: op.params });
      }
    }
    return [...[...grouped].map(([target, rows]) => this.insertStatement(target, rows)), ...raw];
  }

  /**
   * Runs `work` with the DataSource's query() recording (and not executing) every statement:
   * the SQL and parameters a repository method would send, for EXPLAIN and raw replays.
   */
  async captureQueries(work: () => Promise<unknown>): Promise<SqlStatement[]> {
    const captured: SqlStatement[] = [];
    const ds = this.dataSource as unknown as { query: (sql: string, params?: unknown[]) => Promise<unknown> };
    const original = ds.query;
    ds.query = async (sql: string, params: unknown[] = []) => {
      captured.push({ sql, params });
      return [];
    };
    try {
      await work().catch(() => undefined);
    } finally {
      ds.query = original;
    }
    return captured;
  }
}

/** How many statements `work` sends through TypeORM's MySQL query runner (transactions' own included). */
export async function countStatements(work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const original = MysqlQueryRunner.prototype.query;
  MysqlQueryRunner.prototype.query = function (this: MysqlQueryRunner, ...args: Parameters<typeof original>) {
    count++;
    return original.apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    MysqlQueryRunner.prototype.query = original;
  }
  return count;
}
