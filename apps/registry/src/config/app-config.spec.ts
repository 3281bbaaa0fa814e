import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const [headline, ...problems] = (error as Error).message.split('\n');
    expect(headline).toBe('Invalid configuration:');
    return problems.map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('expected a ConfigError');
}

function ed25519Pems(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('loadConfig', () => {
  it('has working defaults for a developer machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      http: { host: '127.0.0.1', port: 3000, bodyLimitBytes: 256 * 1024 },
      db: { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'credit_discipline', poolSize: 20 },
      kafka: { brokers: ['127.0.0.1:9092'], topicPrefix: 'credit-discipline', topicPartitions: 6, replicationFactor: 1 },
      relay: { enabled: true, batchSize: 500, pollIntervalMs: 100, lingerMs: 5, markConcurrency: 3, leaseMs: 30000, maxBackoffMs: 30000 },
      expiry: { enabled: true, intervalMs: 60000 },
      receipts: { consumerEnabled: true, groupId: 'credit-discipline.registry.receipts' },
      log: { level: 'info', pretty: false },
      health: { relayBacklogMaxAgeMs: 300_000, kafkaTimeoutMs: 2000 },
    });
    expect(Object.keys(config.auth.keys)).toEqual(['dev']);
    expect(config.events.signingKeys[config.events.activeKeyId]).toContain('BEGIN PRIVATE KEY');
    expect(config.events.retiredPublicKeys).toEqual({});
    expect(config.relay.instanceId).toMatch(/-\d+$/);
  });

  it('reads every value given, and derives the consumer group from the topic prefix', () => {
    const config = loadConfig({
      HTTP_PORT: '8080',
      HTTP_HOST: '0.0.0.0',
      DB_NAME: 'cd',
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      KAFKA_TOPIC_PREFIX: 'cd.prod',
      RELAY_ENABLED: 'false',
      RELAY_BACKLOG_MAX_AGE_MS: '60000',
      RECEIPT_VERIFY_THREADS: '0',
      LOG_LEVEL: 'debug',
      LOG_PRETTY: 'true',
      JWT_KEYS: JSON.stringify({ k1: SECRET, k2: SECRET }),
    });
    expect(config).toMatchObject({
      http: { port: 8080, host: '0.0.0.0' },
      db: { database: 'cd' },
      kafka: { brokers: ['k1:9092', 'k2:9093'], topicPrefix: 'cd.prod' },
      relay: { enabled: false },
      receipts: { groupId: 'cd.prod.registry.receipts', verifyThreads: 0 },
      log: { level: 'debug', pretty: true },
      health: { relayBacklogMaxAgeMs: 60000 },
      auth: { keys: { k1: SECRET, k2: SECRET } },
    });
  });

  it('logs warnings and errors only under test, unless LOG_LEVEL says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).log.level).toBe('warn');
    expect(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }).log.level).toBe('silent');
    expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual(['LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"']);
  });

  it.each([
    ['HTTP_PORT', 'http', 'HTTP_PORT must be an integer between 0 and 65535, got "http"'],
    ['HTTP_PORT', '70000', 'HTTP_PORT must be an integer between 0 and 65535, got "70000"'],
    ['DB_PORT', '0', 'DB_PORT must be an integer between 1 and 65535, got "0"'],
    ['RELAY_BATCH_SIZE', '1.5', 'RELAY_BATCH_SIZE must be an integer between 1 and 10000, got "1.5"'],
    ['RELAY_LEASE_MS', '999', 'RELAY_LEASE_MS must be an integer between 15000 and 600000, got "999"'],
    ['RELAY_BACKLOG_MAX_AGE_MS', '-5', `RELAY_BACKLOG_MAX_AGE_MS must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}, got "-5"`],
    ['HTTP_BODY_LIMIT_BYTES', '256k', `HTTP_BODY_LIMIT_BYTES must be an integer between 1024 and ${Number.MAX_SAFE_INTEGER}, got "256k"`],
  ])('refuses %s=%s', (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([problem]);
  });

  describe("the relay producer's timeouts, derived from RELAY_LEASE_MS", () => {
    it('end a send, connecting included, within 40 % of the lease: before the half the relay keeps in hand when it starts one', () => {
      for (const leaseMs of [15_000, 20_000, 30_000, 45_000, 60_000, 120_000, 600_000]) {
        const t = loadConfig({ RELAY_LEASE_MS: String(leaseMs) }).relay.producer;
        const counted = 2 * ((t.retries + 1) * (t.connectionTimeoutMs + 2 * t.requestTimeoutMs) + t.retries * t.retryBackoffMs);
        expect({ leaseMs, worst: t.worstCaseSendMs }).toEqual({ leaseMs, worst: counted });
        expect(t.worstCaseSendMs).toBeLessThanOrEqual(leaseMs * 0.4);
        expect(t.requestTimeoutMs).toBeGreaterThanOrEqual(500);
        expect(t.retries).toBeGreaterThanOrEqual(1); // kafkajs refuses an idempotent producer without retries
      }
    });

    it('the default 30 s lease: 1 retry, connection 712 ms, request 1069 ms, at most 12 s in all (the old 3 × 10 s could outlast the 15 s margin)', () => {
      expect(loadConfig({}).relay.producer).toEqual({ retries: 1, retryBackoffMs: 300, connectionTimeoutMs: 712, requestTimeoutMs: 1069, worstCaseSendMs: 12_000 });
    });

    it('grow with the lease', () => {
      const short = loadConfig({ RELAY_LEASE_MS: '15000' }).relay.producer;
      const long = loadConfig({ RELAY_LEASE_MS: '120000' }).relay.producer;
      expect(long.requestTimeoutMs).toBeGreaterThan(short.requestTimeoutMs);
    });

    it('refuse a lease too short for workable timeouts', () => {
      expect(problemsOf({ RELAY_LEASE_MS: '14999' })).toEqual(['RELAY_LEASE_MS must be an integer between 15000 and 600000, got "14999"']);
      expect(loadConfig({ RELAY_LEASE_MS: '15000' }).relay.leaseMs).toBe(15000);
    });
  });

  it('refuses booleans other than "true" and "false"', () => {
    expect(problemsOf({ RELAY_ENABLED: 'yes', LOG_PRETTY: '1' })).toEqual([
      'RELAY_ENABLED must be "true" or "false", got "yes"',
      'LOG_PRETTY must be "true" or "false", got "1"',
    ]);
  });

  it.each([
    ['not JSON', '{kid: secret}', 'JWT_KEYS must be valid JSON: {"<kid>": "<secret>"}'],
    ['a short secret', JSON.stringify({ k1: 'short' }), 'JWT_KEYS must be a JSON object {"<kid>": "<secret of 32+ chars>"}'],
    ['no key at all', '{}', 'JWT_KEYS must be a JSON object {"<kid>": "<secret of 32+ chars>"}'],
    ['a non-string secret', JSON.stringify({ k1: 42 }), 'JWT_KEYS must be a JSON object {"<kid>": "<secret of 32+ chars>"}'],
  ])('refuses JWT_KEYS with %s', (_case, value, problem) => {
    expect(problemsOf({ JWT_KEYS: value })).toEqual([problem]);
  });

  it('refuses EVENT_SIGNING_KEYS that are not JSON, or whose values are not private keys', () => {
    expect(problemsOf({ EVENT_SIGNING_KEYS: 'not json', EVENT_SIGNING_KEY_ID: 'k1' })).toEqual([
      'EVENT_SIGNING_KEYS must be valid JSON: {"<key id>": "<PEM>"}',
      'EVENT_SIGNING_KEY_ID "k1" is not one of EVENT_SIGNING_KEYS',
    ]);
    const { publicPem } = ed25519Pems();
    expect(problemsOf({ EVENT_SIGNING_KEYS: JSON.stringify({ k1: publicPem }) })).toEqual(['EVENT_SIGNING_KEYS must be a JSON object {"<key id>": "<PEM>"}']);
    expect(problemsOf({ EVENT_RETIRED_PUBLIC_KEYS: '[' })).toEqual(['EVENT_RETIRED_PUBLIC_KEYS must be valid JSON: {"<key id>": "<PEM>"}']);
  });

  it('refuses an active signing key id that names no key', () => {
    const { privatePem } = ed25519Pems();
    expect(problemsOf({ EVENT_SIGNING_KEYS: JSON.stringify({ k1: privatePem }), EVENT_SIGNING_KEY_ID: 'k2' })).toEqual([
      'EVENT_SIGNING_KEY_ID "k2" is not one of EVENT_SIGNING_KEYS',
    ]);
  });

  it('requires real secrets in production: no development key is used there', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'JWT_KEYS, JWT_PUBLIC_KEYS or JWT_JWKS_URL is required in production',
      'EVENT_SIGNING_KEYS is required in production',
      'IDENTIFIER_HASH_KEY is required in production',
      'DATA_KEYS is required in production',
    ]);
  });

  it('starts in production once every secret is given', () => {
    const { privatePem, publicPem } = ed25519Pems();
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_KEYS: JSON.stringify({ '2026-01': SECRET }),
      IDENTIFIER_HASH_KEY: SECRET,
      DATA_KEYS: JSON.stringify({ 'data-2026': Buffer.alloc(32, 7).toString('base64') }),
      EVENT_SIGNING_KEYS: JSON.stringify({ 'evt-2026': privatePem }),
      EVENT_RETIRED_PUBLIC_KEYS: JSON.stringify({ 'evt-2025': publicPem }),
    });
    expect(config.env).toBe('production');
    expect(config.events.activeKeyId).toBe('evt-2026');
    expect(config.identifierHashKey).toBe(SECRET);
    expect(config.log.level).toBe('info');
  });

  describe('single sign-on for the pages (PAGES_OIDC_*)', () => {
    const OIDC = {
      PAGES_OIDC_AUTHORIZE_URL: 'https://idp.court.example/oauth2/authorize',
      PAGES_OIDC_TOKEN_URL: 'https://idp.court.example/oauth2/token',
      PAGES_OIDC_CLIENT_ID: 'credit-discipline-pages',
    };

    it('is off unless configured', () => {
      expect(loadConfig({}).pages).toEqual({});
    });

    it('reads the endpoints and the client id, with scope "openid" unless given', () => {
      expect(loadConfig(OIDC).pages.oidc).toEqual({
        authorizeUrl: 'https://idp.court.example/oauth2/authorize',
        tokenUrl: 'https://idp.court.example/oauth2/token',
        clientId: 'credit-discipline-pages',
        scope: 'openid',
      });
      expect(loadConfig({ ...OIDC, PAGES_OIDC_SCOPE: 'openid profile court.roles' }).pages.oidc?.scope).toBe('openid profile court.roles');
    });

    it('refuses a partial configuration, naming what is missing', () => {
      expect(problemsOf({ PAGES_OIDC_AUTHORIZE_URL: OIDC.PAGES_OIDC_AUTHORIZE_URL, PAGES_OIDC_CLIENT_ID: 'pages' })).toEqual([
        'PAGES_OIDC_AUTHORIZE_URL, PAGES_OIDC_TOKEN_URL, PAGES_OIDC_CLIENT_ID are set together or not at all: PAGES_OIDC_AUTHORIZE_URL, PAGES_OIDC_CLIENT_ID given, PAGES_OIDC_TOKEN_URL missing',
      ]);
      expect(problemsOf({ PAGES_OIDC_SCOPE: 'openid' })).toEqual([
        'PAGES_OIDC_AUTHORIZE_URL, PAGES_OIDC_TOKEN_URL, PAGES_OIDC_CLIENT_ID are set together or not at all: PAGES_OIDC_SCOPE given, PAGES_OIDC_AUTHORIZE_URL, PAGES_OIDC_TOKEN_URL, PAGES_OIDC_CLIENT_ID missing',
      ]);
    });

    it('requires https in production, and allows http elsewhere', () => {
      const http = { ...OIDC, PAGES_OIDC_AUTHORIZE_URL: 'http://127.0.0.1:8080/authorize', PAGES_OIDC_TOKEN_URL: 'http://127.0.0.1:8080/token' };
      expect(loadConfig({ ...http, NODE_ENV: 'test' }).pages.oidc?.tokenUrl).toBe('http://127.0.0.1:8080/token');
      expect(problemsOf({ ...http, NODE_ENV: 'production' })).toEqual(
        expect.arrayContaining([
          'PAGES_OIDC_AUTHORIZE_URL must be an https URL (http only outside production)',
          'PAGES_OIDC_TOKEN_URL must be an https URL (http only outside production)',
        ]),
      );
    });

    it.each([
      ['PAGES_OIDC_AUTHORIZE_URL', 'idp.court.example/authorize', 'PAGES_OIDC_AUTHORIZE_URL must be a URL, got "idp.court.example/authorize"'],
      ['PAGES_OIDC_TOKEN_URL', 'javascript:alert(1)', 'PAGES_OIDC_TOKEN_URL must be an https URL (http only outside production)'],
      ['PAGES_OIDC_CLIENT_ID', 'pages client', 'PAGES_OIDC_CLIENT_ID must be 1–255 printable ASCII characters without spaces'],
      ['PAGES_OIDC_SCOPE', 'profile email', 'PAGES_OIDC_SCOPE must be space-separated scopes including "openid", got "profile email"'],
      ['PAGES_OIDC_SCOPE', 'openid  profile', 'PAGES_OIDC_SCOPE must be space-separated scopes including "openid", got "openid  profile"'],
    ])('refuses %s=%s', (name, value, problem) => {
      expect(problemsOf({ ...OIDC, [name]: value })).toEqual([problem]);
    });
  });

  it('lists every problem in one message instead of stopping at the first', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      HTTP_PORT: 'x',
      DB_PORT: '99999',
      RELAY_ENABLED: 'maybe',
      JWT_KEYS: 'nope',
      IDENTIFIER_HASH_KEY: 'short',
      KAFKA_BROKERS: 'no-port',
      KAFKA_TOPIC_PREFIX: 'bad prefix!',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(9);
    for (const name of ['NODE_ENV', 'HTTP_PORT', 'DB_PORT', 'RELAY_ENABLED', 'JWT_KEYS', 'IDENTIFIER_HASH_KEY', 'KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'LOG_LEVEL']) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });
});
