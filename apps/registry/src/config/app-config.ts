import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { defaultVerifyThreads } from '@cd/contracts';
import { dataKeysFrom } from '../crypto/data-keys';
import type { DataKeys } from '../crypto/field-cipher';

// Configuration is read once from the environment and validated at start-up,
// so a bad deployment fails loudly before it accepts a single request.

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: {
    port: number;
    host: string;
    bodyLimitBytes: number;
    /** Fastify's trustProxy: false, true (any proxy), a hop count, or the proxies' addresses/CIDRs. Decides `request.ip`, so rate limits key on the real client. */
    trustProxy: boolean | number | string[];
    /** Send Strict-Transport-Security (only where the service is reached over HTTPS). */
    hsts: boolean;
    /** Origins allowed to call the API from a browser; empty: same-origin only. */
    corsOrigins: string[];
    /** Requests in progress at once (health and metrics aside); more are answered 503 OVERLOADED with Retry-After. */
    maxInFlight: number;
  };
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
    /** After a commit's nudge, wait this long so the changes of concurrent commits leave in one batch. */
    lingerMs: number;
    /** Sent batches being marked published at once while the next ones are sent (each its own transaction). */
    markConcurrency: number;
    leaseMs: number;
    maxBackoffMs: number;
    instanceId: string;
    /** The producer's Kafka timeouts, derived from leaseMs (relayProducerTimeouts). */
    producer: RelayProducerTimeouts;
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
  receipts: { consumerEnabled: boolean; groupId: string; verifyThreads: number };
  auth: {
    /** HS256 secrets by key id. */
    keys: Record<string, string>;
    /** Asymmetric verification keys (SPKI PEM: RSA, EC P-256/384/521, Ed25519) by key id. */
    publicKeys: Record<string, string>;
    /** An identity provider's JWKS, fetched and cached; refetched for an unknown kid at most once per cooldown. */
    jwks?: { url: string; cooldownMs: number; timeoutMs: number; maxAgeMs: number };
    issuer: string;
    audience: string;
    /** Tolerance for exp/nbf between the issuer's clock and ours. */
    clockSkewSeconds: number;
  };
  /** Secret for the keyed hash (HMAC-SHA256) used to look identifiers up without storing them in an index. */
  identifierHashKey: string;
  /** AES-256-GCM keys for personal data at rest (DATA_KEYS, DATA_KEY_ID): any decrypts, the active one encrypts. */
  dataKeys: DataKeys;
  /** Extra or newer holiday years for the working-day calendar (JSON file), if any. */
  holidayCalendarFile?: string;
  /** Structured JSON logs (pino); `pretty` only for a developer's terminal. */
  log: { level: LogLevel; pretty: boolean };
  /** Readiness: the oldest due, unpublished outbox row may be this old; Kafka must answer within the timeout. */
  health: { relayBacklogMaxAgeMs: number; kafkaTimeoutMs: number };
  /**
   * Requests per minute per client IP on the public endpoints and on the debtor's own; counted per
   * instance in memory, or in the database (one budget across instances, at a durable write per request).
   */
  inquiry: { publicRateLimitPerMinute: number; debtorRateLimitPerMinute: number; rateLimitStore: RateLimitStore };
  /** Single sign-on for the pages: the identity provider's OpenID Connect endpoints for a public client (code flow with PKCE); absent: tokens are pasted. */
  pages: { oidc?: PagesOidc };
}

export interface PagesOidc {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
}

export class ConfigError extends Error {}

export const RATE_LIMIT_STORES = ['database', 'memory'] as const;
export type RateLimitStore = (typeof RATE_LIMIT_STORES)[number];

export interface RelayProducerTimeouts {
  retries: number;
  retryBackoffMs: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** The send path's sum of timeouts and back-offs, connecting included (see relayProducerTimeouts). */
  worstCaseSendMs: number;
}

/**
 * The producer's timeouts, derived from the relay lease. The relay starts a send only with at least
 * half the lease left (outbox.relay.ts), so the client must give up well within that half: else a
 * holder stalled on a hung broker could land an older version after the next holder published a
 * newer one. Counted as the worst case: a connect phase (connection, metadata, producer id) and a
 * send phase (metadata, produce), each `retries + 1` attempts of one connection and two requests
 * with a fixed back-off between. The sum stays within 40 % of the lease: half, less a fifth for the
 * difference between our clock and the database's (which times the lease) and for scheduling.
 * A sizing, not a guarantee: kafkajs's reconnect and metadata refresh after a failed send run
 * retriers of their own, and a request the broker received may be answered after the timeout.
 * Only a fence (Kafka transactions with one transactional id) would rule a late write out.
 */
export function relayProducerTimeouts(leaseMs: number): RelayProducerTimeouts {
  const retries = 1; // the least kafkajs allows an idempotent producer; the relay retries beyond it, with backoff
  const phaseMs = Math.floor((leaseMs * 0.4) / 2);
  const retryBackoffMs = Math.floor(phaseMs / 20);
  const attemptMs = Math.floor((phaseMs - retries * retryBackoffMs) / (retries + 1));
  const connectionTimeoutMs = Math.min(3000, Math.floor(attemptMs / 4));
  const requestTimeoutMs = Math.floor((attemptMs - connectionTimeoutMs) / 2);
  const worstCaseSendMs = 2 * ((retries + 1) * (connectionTimeoutMs + 2 * requestTimeoutMs) + retries * retryBackoffMs);
  return { retries, retryBackoffMs, connectionTimeoutMs, requestTimeoutMs, worstCaseSendMs };
}

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

  const httpsUrl = (name: string): string | undefined => {
    const raw = source[name] || undefined;
    if (raw === undefined) return undefined;
    let protocol = '';
    try {
      protocol = new URL(raw).protocol;
    } catch {
      problems.push(`${name} must be a URL, got "${raw}"`);
    }
    if (protocol && protocol !== 'https:' && !(protocol === 'http:' && env !== 'production')) {
      problems.push(`${name} must be an https URL (http only outside production)`);
    }
    return raw;
  };

  const publicKeys = jwtPublicKeys(source.JWT_PUBLIC_KEYS, problems);
  const jwksUrl = httpsUrl('JWT_JWKS_URL');
  // The development secret is used only when no key source is configured at all.
  let keys: Record<string, string> = source.JWT_PUBLIC_KEYS || jwksUrl ? {} : DEV_JWT_KEYS;
  if (source.JWT_KEYS) {
    try {
      keys = JSON.parse(source.JWT_KEYS) as Record<string, string>;
      const valid = typeof keys === 'object' && keys !== null && Object.values(keys).every((k) => typeof k === 'string' && k.length >= 32);
      if (!valid || Object.keys(keys).length === 0) problems.push('JWT_KEYS must be a JSON object {"<kid>": "<secret of 32+ chars>"}');
    } catch {
      problems.push('JWT_KEYS must be valid JSON: {"<kid>": "<secret>"}');
    }
  } else if (env === 'production' && !source.JWT_PUBLIC_KEYS && !jwksUrl) {
    problems.push('JWT_KEYS, JWT_PUBLIC_KEYS or JWT_JWKS_URL is required in production');
  }
  // A key id names one key: never a secret in one place and a public key in another.
  const sharedKids = Object.keys(publicKeys).filter((kid) => typeof keys === 'object' && keys !== null && Object.hasOwn(keys, kid));
  if (sharedKids.length > 0) problems.push(`JWT_KEYS and JWT_PUBLIC_KEYS share key id(s) ${sharedKids.join(', ')}`);

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

  // Below 15 s the producer timeouts derived from the lease (relayProducerTimeouts) would fail healthy sends.
  const leaseMs = int('RELAY_LEASE_MS', 30000, 15_000, 600_000);
  const config: AppConfig = {
    env,
    http: {
      port: int('HTTP_PORT', 3000, 0, 65535),
      host: source.HTTP_HOST ?? '127.0.0.1',
      bodyLimitBytes: int('HTTP_BODY_LIMIT_BYTES', 256 * 1024, 1024),
      trustProxy: trustProxy(source.HTTP_TRUST_PROXY, problems),
      hsts: bool('HTTP_HSTS', false),
      corsOrigins: corsOrigins(source.CORS_ORIGINS, problems),
      maxInFlight: int('HTTP_MAX_IN_FLIGHT', 128, 1, 100_000),
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
      pollIntervalMs: int('RELAY_POLL_INTERVAL_MS', 100, 10),
      lingerMs: int('RELAY_LINGER_MS', 5, 0, 1000),
      markConcurrency: int('RELAY_MARK_CONCURRENCY', 3, 1, 16),
      leaseMs,
      maxBackoffMs: int('RELAY_MAX_BACKOFF_MS', 30000, 10),
      instanceId: source.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
      producer: relayProducerTimeouts(leaseMs),
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
      verifyThreads: int('RECEIPT_VERIFY_THREADS', defaultVerifyThreads(), 0, 16),
    },
    auth: {
      keys,
      publicKeys,
      ...(jwksUrl
        ? {
            jwks: {
              url: jwksUrl,
              cooldownMs: int('JWT_JWKS_COOLDOWN_S', 30, 1, 3600) * 1000,
              timeoutMs: int('JWT_JWKS_TIMEOUT_MS', 3000, 100, 60_000),
              maxAgeMs: int('JWT_JWKS_MAX_AGE_S', 600, 1, 86_400) * 1000,
            },
          }
        : {}),
      issuer: source.JWT_ISSUER ?? 'credit-discipline',
      audience: source.JWT_AUDIENCE ?? 'credit-discipline-registry',
      clockSkewSeconds: int('JWT_CLOCK_SKEW_S', 30, 0, 300),
    },
    identifierHashKey: secret('IDENTIFIER_HASH_KEY', DEV_HASH_KEY),
    dataKeys: dataKeysFrom(source, env, problems),
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
      rateLimitStore: oneOf(source.RATE_LIMIT_STORE || 'memory', RATE_LIMIT_STORES, 'RATE_LIMIT_STORE', problems),
    },
    pages: pagesOidc(source, httpsUrl, problems),
  };
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

const PAGES_OIDC_REQUIRED = ['PAGES_OIDC_AUTHORIZE_URL', 'PAGES_OIDC_TOKEN_URL', 'PAGES_OIDC_CLIENT_ID'] as const;

// All or nothing: half a sign-on configuration would show a button that cannot work.
function pagesOidc(source: NodeJS.ProcessEnv, httpsUrl: (name: string) => string | undefined, problems: string[]): AppConfig['pages'] {
  const given = [...PAGES_OIDC_REQUIRED, 'PAGES_OIDC_SCOPE'].filter((name) => source[name]);
  if (given.length === 0) return {};
  const missing = PAGES_OIDC_REQUIRED.filter((name) => !source[name]);
  if (missing.length > 0) {
    problems.push(`${PAGES_OIDC_REQUIRED.join(', ')} are set together or not at all: ${given.join(', ')} given, ${missing.join(', ')} missing`);
    return {};
  }
  const clientId = source.PAGES_OIDC_CLIENT_ID!;
  if (!/^[\x21-\x7e]{1,255}$/.test(clientId)) problems.push('PAGES_OIDC_CLIENT_ID must be 1–255 printable ASCII characters without spaces');
  const scope = source.PAGES_OIDC_SCOPE || 'openid';
  if (!scope.split(' ').includes('openid') || !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scope)) {
    problems.push(`PAGES_OIDC_SCOPE must be space-separated scopes including "openid", got "${scope}"`);
  }
  const authorizeUrl = httpsUrl('PAGES_OIDC_AUTHORIZE_URL')!;
  const tokenUrl = httpsUrl('PAGES_OIDC_TOKEN_URL')!;
  return { oidc: { authorizeUrl, tokenUrl, clientId, scope } };
}

const JWT_PUBLIC_KEY_TYPES = ['rsa', 'ec', 'ed25519'];

function jwtPublicKeys(raw: string | undefined, problems: string[]): Record<string, string> {
  if (!raw) return {};
  const usage = 'JWT_PUBLIC_KEYS must be a JSON object {"<kid>": "<SPKI PEM of an RSA (2048+ bits), EC or Ed25519 public key>"}';
  let map: unknown;
  try {
    map = JSON.parse(raw);
  } catch {
    problems.push(usage);
    return {};
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.keys(map).length === 0) {
    problems.push(usage);
    return {};
  }
  for (const [kid, pem] of Object.entries(map)) {
    try {
      if (typeof pem !== 'string' || !pem.includes('BEGIN PUBLIC KEY')) throw new Error('not a PEM public key');
      const key = createPublicKey(pem);
      if (!JWT_PUBLIC_KEY_TYPES.includes(key.asymmetricKeyType ?? '')) throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
      if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('RSA key shorter than 2048 bits');
    } catch (error) {
      problems.push(`JWT_PUBLIC_KEYS["${kid}"]: ${(error as Error).message}`);
    }
  }
  return map as Record<string, string>;
}

function trustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  const proxies = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const valid = proxies.length > 0 && proxies.every((p) => {
    const [address, bits, ...rest] = p.split('/');
    const family = isIP(address);
    return family !== 0 && rest.length === 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
  });
  if (!valid) problems.push(`HTTP_TRUST_PROXY must be true, false, a hop count or proxy addresses/CIDRs (a,b/24,…), got "${raw}"`);
  return valid ? proxies : false;
}

function corsOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins = (raw ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      problems.push(`CORS_ORIGINS must list origins (scheme://host[:port], no path or "*"), got "${origin}"`);
    }
  }
  return origins;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string, problems: string[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return allowed[0];
}

export const APP_CONFIG = Symbol('APP_CONFIG');
