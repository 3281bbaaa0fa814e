import { hostname } from 'node:os';

// Configuration is read once from the environment and validated at start-up,
// so a bad deployment fails loudly before it accepts a single request.

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: { port: number; host: string; bodyLimitBytes: number };
  db: { host: string; port: number; user: string; password: string; database: string; poolSize: number };
  kafka: {
    brokers: string[];
    clientId: string;
    topicPrefix: string;
    topicPartitions: number;
    replicationFactor: number;
  };
  relay: {
    enabled: boolean;
    batchSize: number;
    pollIntervalMs: number;
    leaseMs: number;
    maxBackoffMs: number;
    instanceId: string;
  };
  expiry: { enabled: boolean; intervalMs: number };
  events: {
    source: string;
    /** Ed25519 private keys (PEM) by key id; `activeKeyId` signs new events. */
    signingKeys: Record<string, string>;
    activeKeyId: string;
    /** Public keys (PEM) of retired signing keys, still served so older events verify. */
    retiredPublicKeys: Record<string, string>;
  };
  partners: { overdueScanIntervalMs: number; reannounceAfterMs: number; backfillChunk: number };
  receipts: { consumerEnabled: boolean; groupId: string };
  auth: { keys: Record<string, string>; issuer: string; audience: string };
  /** Secret for the keyed hash (HMAC-SHA256) used to look identifiers up without storing them in an index. */
  identifierHashKey: string;
  /** Extra or newer holiday years for the working-day calendar (JSON file), if any. */
  holidayCalendarFile?: string;
  /** Structured JSON logs (pino); `pretty` only for a developer's terminal. */
  log: { level: LogLevel; pretty: boolean };
  /** Readiness: the oldest due, unpublished outbox row may be this old; Kafka must answer within the timeout. */
  health: { relayBacklogMaxAgeMs: number; kafkaTimeoutMs: number };
  /** Requests per minute per client IP on the public list and on the debtor's own status. */
  inquiry: { publicRateLimitPerMinute: number; debtorRateLimitPerMinute: number };
}

export class ConfigError extends Error {}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const DEV_JWT_KEYS = { dev: 'dev-only-secret-change-me-0123456789abcdef' };
const DEV_HASH_KEY = 'dev-only-identifier-hash-key-0123456789';
const DEV_EVENT_KEYS = {
  'dev-2026': '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIOWrvOdRgmH3fHC5z6Cfw2iBUhID40tQv7EYrCsrcf0U\n-----END PRIVATE KEY-----\n',
};

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const env = oneOf(source.NODE_ENV ?? 'development', ['development', 'test', 'production'] as const, 'NODE_ENV', problems);
  const int = (name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = source[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = source[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw !== 'true' && raw !== 'false') problems.push(`${name} must be "true" or "false", got "${raw}"`);
    return raw === 'true';
  };
  const secret = (name: string, devFallback: string): string => {
    const raw = source[name];
    if (raw) {
      if (raw.length < 32) problems.push(`${name} must be at least 32 characters`);
      return raw;
    }
    if (env === 'production') problems.push(`${name} is required in production`);
    return devFallback;
  };

  let keys: Record<string, string> = DEV_JWT_KEYS;
  if (source.JWT_KEYS) {
    try {
      keys = JSON.parse(source.JWT_KEYS) as Record<string, string>;
      const valid = typeof keys === 'object' && keys !== null && Object.values(keys).every((k) => typeof k === 'string' && k.length >= 32);
      if (!valid || Object.keys(keys).length === 0) problems.push('JWT_KEYS must be a JSON object {"<kid>": "<secret of 32+ chars>"}');
    } catch {
      problems.push('JWT_KEYS must be valid JSON: {"<kid>": "<secret>"}');
    }
  } else if (env === 'production') {
    problems.push('JWT_KEYS is required in production');
  }

  const pemMap = (name: string, fallback: Record<string, string> | undefined, pattern: RegExp): Record<string, string> => {
    const raw = source[name];
    if (!raw) {
      if (fallback === undefined) return {};
      if (env === 'production') problems.push(`${name} is required in production`);
      return fallback;
    }
    try {
      const map = JSON.parse(raw) as Record<string, string>;
      if (typeof map !== 'object' || map === null || Object.values(map).some((pem) => typeof pem !== 'string' || !pattern.test(pem))) {
        problems.push(`${name} must be a JSON object {"<key id>": "<PEM>"}`);
      }
      return map;
    } catch {
      problems.push(`${name} must be valid JSON: {"<key id>": "<PEM>"}`);
      return fallback ?? {};
    }
  };
  const signingKeys = pemMap('EVENT_SIGNING_KEYS', DEV_EVENT_KEYS, /BEGIN PRIVATE KEY/);
  const activeKeyId = source.EVENT_SIGNING_KEY_ID ?? Object.keys(signingKeys).at(-1) ?? '';
  if (!signingKeys[activeKeyId]) problems.push(`EVENT_SIGNING_KEY_ID "${activeKeyId}" is not one of EVENT_SIGNING_KEYS`);

  const brokers = (source.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0 || brokers.some((b) => !/^[\w.-]+:\d+$/.test(b))) problems.push('KAFKA_BROKERS must be host:port[,host:port…]');
  const topicPrefix = source.KAFKA_TOPIC_PREFIX ?? 'credit-discipline';
  if (!/^[a-zA-Z0-9._-]+$/.test(topicPrefix)) problems.push('KAFKA_TOPIC_PREFIX may contain only letters, digits, ".", "_" and "-"');

  const config: AppConfig = {
    env,
    http: {
      port: int('HTTP_PORT', 3000, 0, 65535),
      host: source.HTTP_HOST ?? '127.0.0.1',
      bodyLimitBytes: int('HTTP_BODY_LIMIT_BYTES', 256 * 1024, 1024),
    },
    db: {
      host: source.DB_HOST ?? '127.0.0.1',
      port: int('DB_PORT', 3306, 1, 65535),
      user: source.DB_USER ?? 'root',
      password: source.DB_PASSWORD ?? '',
      database: source.DB_NAME ?? 'credit_discipline',
      poolSize: int('DB_POOL_SIZE', 20, 1, 500),
    },
    kafka: {
      brokers,
      clientId: source.KAFKA_CLIENT_ID ?? 'credit-discipline-registry',
      topicPrefix,
      topicPartitions: int('KAFKA_TOPIC_PARTITIONS', 6, 1, 1000),
      replicationFactor: int('KAFKA_REPLICATION_FACTOR', 1, 1, 10),
    },
    relay: {
      enabled: bool('RELAY_ENABLED', true),
      batchSize: int('RELAY_BATCH_SIZE', 500, 1, 10000),
      pollIntervalMs: int('RELAY_POLL_INTERVAL_MS', 200, 10),
      leaseMs: int('RELAY_LEASE_MS', 30000, 1000),
      maxBackoffMs: int('RELAY_MAX_BACKOFF_MS', 30000, 10),
      instanceId: source.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    },
    expiry: { enabled: bool('EXPIRY_ENABLED', true), intervalMs: int('EXPIRY_INTERVAL_MS', 60000, 100) },
    events: {
      source: source.EVENT_SOURCE ?? '/cn/court/credit-discipline/registry',
      signingKeys,
      activeKeyId,
      retiredPublicKeys: pemMap('EVENT_RETIRED_PUBLIC_KEYS', undefined, /BEGIN PUBLIC KEY/),
    },
    partners: {
      overdueScanIntervalMs: int('OVERDUE_SCAN_INTERVAL_MS', 60000, 100),
      reannounceAfterMs: int('REANNOUNCE_AFTER_MS', 3_600_000, 100),
      backfillChunk: int('PARTNER_BACKFILL_CHUNK', 5000, 1, 100000),
    },
    receipts: {
      consumerEnabled: bool('RECEIPTS_CONSUMER_ENABLED', true),
      groupId: source.RECEIPTS_GROUP_ID ?? `${topicPrefix}.registry.receipts`,
    },
    auth: {
      keys,
      issuer: source.JWT_ISSUER ?? 'credit-discipline',
      audience: source.JWT_AUDIENCE ?? 'credit-discipline-registry',
    },
    identifierHashKey: secret('IDENTIFIER_HASH_KEY', DEV_HASH_KEY),
    ...(source.HOLIDAY_CALENDAR_FILE ? { holidayCalendarFile: source.HOLIDAY_CALENDAR_FILE } : {}),
    // Tests stay quiet unless asked: warnings and errors only.
    log: { level: oneOf(source.LOG_LEVEL || (env === 'test' ? 'warn' : 'info'), LOG_LEVELS, 'LOG_LEVEL', problems), pretty: bool('LOG_PRETTY', false) },
    health: {
      relayBacklogMaxAgeMs: int('RELAY_BACKLOG_MAX_AGE_MS', 5 * 60_000, 1),
      kafkaTimeoutMs: int('HEALTH_KAFKA_TIMEOUT_MS', 2000, 100, 60_000),
    },
    inquiry: {
      publicRateLimitPerMinute: int('PUBLIC_RATE_LIMIT_PER_MINUTE', 30, 1, 100000),
      debtorRateLimitPerMinute: int('DEBTOR_RATE_LIMIT_PER_MINUTE', 60, 1, 100000),
    },
  };
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string, problems: string[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return allowed[0];
}

export const APP_CONFIG = Symbol('APP_CONFIG');
