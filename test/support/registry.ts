// Boots the real registry (Fastify, TypeORM on the test database, kafkajs on
// the local broker) for integration tests. Only configuration is varied.
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { residentIdCheckChar, usccCheckChar } from '@cd/domain';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/registry/src/app';
import type { TokenClaims } from '../../apps/registry/src/auth/principal';
import { TokenService } from '../../apps/registry/src/auth/token.service';
import { loadConfig, type AppConfig } from '../../apps/registry/src/config/app-config';
import { OutboxRelay } from '../../apps/registry/src/publishing/outbox.relay';

export interface TestRegistry {
  app: NestFastifyApplication;
  /** Set when started with `listen: true`: where real HTTP clients (agent processes) reach it. */
  baseUrl?: string;
  config: AppConfig;
  dataSource: DataSource;
  relay: OutboxRelay;
  token(claims: Partial<TokenClaims> & Pick<TokenClaims, 'role'>, options?: { expiresInSeconds?: number }): string;
  courtToken(courtCode?: string): string;
  close(): Promise<void>;
}

export const COURTS = {
  SPC: '100000',
  BEIJING_HIGH: '110000',
  HAIDIAN: '110108',
  CHAOYANG: '110105',
};

export function testConfig(overrides: { env?: NodeJS.ProcessEnv; topicPrefix?: string; database?: string } = {}): AppConfig {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DB_NAME: overrides.database ?? process.env.DB_NAME ?? 'credit_discipline_test',
    KAFKA_TOPIC_PREFIX: overrides.topicPrefix ?? uniquePrefix(),
    KAFKA_TOPIC_PARTITIONS: '3',
    RELAY_POLL_INTERVAL_MS: '50',
    EXPIRY_ENABLED: 'false',
    INSTANCE_ID: `test-${randomBytes(3).toString('hex')}`,
    // Test files share one database: per-app counters, so one file's requests do not spend another's limit.
    RATE_LIMIT_STORE: 'memory',
    ...overrides.env,
  });
}

export function uniquePrefix(): string {
  return `test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

// Every registry a test file starts is closed when the file ends, even if its own clean-up
// failed: a registry left running would keep the relay lease and publish for later files.
const open = new Set<TestRegistry>();

export async function closeAllRegistries(): Promise<void> {
  await Promise.all([...open].map((registry) => registry.close().catch(() => undefined)));
}

export async function startRegistry(config: AppConfig = testConfig(), options: { listen?: boolean } = {}): Promise<TestRegistry> {
  const app = await createApp(config);
  let baseUrl: string | undefined;
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  const dataSource = app.get(DataSource);
  await seedCourts(dataSource);
  const tokens = new TokenService(config);
  const registry: TestRegistry = {
    app,
    baseUrl,
    config,
    dataSource,
    relay: app.get(OutboxRelay),
    token: (claims, options) => tokens.issue({ sub: `test-${claims.role}`, ...claims } as TokenClaims, options),
    courtToken: (courtCode = COURTS.HAIDIAN) => tokens.issue({ sub: `clerk@${courtCode}`, role: 'court', court: courtCode }),
    close: async () => {
      if (!open.delete(registry)) return;
      await app.close();
    },
  };
  open.add(registry);
  return registry;
}

export async function seedCourts(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT IGNORE INTO courts (code, name, parent_code) VALUES
      ('100000', '最高人民法院', NULL),
      ('110000', '北京市高级人民法院', '100000'),
      ('110108', '北京市海淀区人民法院', '110000'),
      ('110105', '北京市朝阳区人民法院', '110000')`,
  );
}

let serial = 0;

/** A valid resident ID (GB 11643) for someone born on the given date; unique per call. */
export function residentId(birthDate = '1980-05-17', region = '110108'): string {
  serial = (serial + 1) % 1000;
  const sequence = String((Number(randomBytes(2).readUInt16BE()) + serial) % 1000).padStart(3, '0');
  const first17 = `${region}${birthDate.replace(/-/g, '')}${sequence}`;
  return first17 + residentIdCheckChar(first17);
}

/** A valid unified social credit code (GB 32100); unique per call. */
export function creditCode(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const body = Array.from(randomBytes(9), (b) => alphabet[b % 31]).join('');
  const first17 = `91110108${body}`;
  return first17 + usccCheckChar(first17);
}

export function caseNumber(): string {
  return `(2026)京0108执${Date.now() % 100000}${randomBytes(2).readUInt16BE()}号`;
}

export function listingBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'DISHONEST_LISTING',
    subject: { type: 'PERSON', name: '张𠀀三', identifier: { type: 'RESIDENT_ID', value: residentId() }, sex: 'MALE' },
    case: {
      caseNumber: caseNumber(),
      enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '(2025)京0108民初1234号' },
      filingDate: '2026-01-05',
    },
    ground: 'EVADES_ENFORCEMENT',
    obligation: '支付货款人民币120000元及利息',
    performanceStatus: '全部未履行',
    dishonestConduct: '转移财产规避执行',
    decidedAt: new Date(Date.now() - 3600_000).toISOString(),
    ...overrides,
  };
}

export function exitBanBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'EXIT_BAN',
    subject: { type: 'PERSON', name: '李四', identifier: { type: 'RESIDENT_ID', value: residentId('1975-02-28') } },
    case: {
      caseNumber: caseNumber(),
      enforcementBasis: { issuer: '北京仲裁委员会', documentNumber: '(2025)京仲裁字第0456号' },
      filingDate: '2026-02-01',
    },
    decidedAt: new Date(Date.now() - 3600_000).toISOString(),
    ...overrides,
  };
}
