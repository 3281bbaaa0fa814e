import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

const quiet = { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' };

/** A due, unpublished outbox row that nobody will publish (every relay here is disabled); the caller deletes it. */
async function insertStaleOutboxRow(registry: TestRegistry, ageSeconds: number): Promise<string> {
  const eventId = randomUUID();
  await registry.dataSource.query(
    `INSERT INTO outbox (event_id, restriction_id, version, topic, payload, available_at, created_at)
     VALUES (?, ?, 1, ?, '{}', UTC_TIMESTAMP(3) - INTERVAL ? SECOND, UTC_TIMESTAMP(3) - INTERVAL ? SECOND)`,
    [eventId, randomUUID(), `${registry.config.kafka.topicPrefix}.health-probe`, ageSeconds, ageSeconds],
  );
  return eventId;
}

describe('health (real MariaDB, real Kafka)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    // A generous limit: rows other test files left behind must not make this instance unready.
    registry = await startRegistry(testConfig({ env: { ...quiet, RELAY_BACKLOG_MAX_AGE_MS: String(24 * 3600_000) } }));
    http = request(registry.app.getHttpServer());
  });
  afterAll(() => registry?.close());

  it('live answers 200 without a token and without checking any dependency', async () => {
    const response = await http.get('/health/live').expect(200);
    expect(response.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect(response.headers['cache-control']).toContain('no-store');
  });

  it('ready answers 200 with the database, Kafka and the outbox backlog in the details', async () => {
    const response = await http.get('/health/ready').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      error: {},
      details: {
        database: { status: 'up' },
        kafka: { status: 'up' },
        outbox: { status: 'up', due: expect.any(Number), held: expect.any(Number), oldestDueAgeMs: expect.any(Number), maxAgeMs: 24 * 3600_000 },
      },
    });
  });

  it('ready answers 503 with every check\'s details when the oldest due outbox row is older than RELAY_BACKLOG_MAX_AGE_MS', async () => {
    const strict = await startRegistry(testConfig({ env: { ...quiet, RELAY_BACKLOG_MAX_AGE_MS: '1000' } }));
    const eventId = await insertStaleOutboxRow(strict, 600);
    try {
      const response = await request(strict.app.getHttpServer()).get('/health/ready').expect(503);
      // terminus' own body, not problem+json: probes read it, and the details are the answer.
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({
        status: 'error',
        info: { database: { status: 'up' }, kafka: { status: 'up' } },
        error: { outbox: { status: 'down', maxAgeMs: 1000, message: expect.stringContaining('limit 1000 ms') } },
        details: { database: { status: 'up' }, kafka: { status: 'up' }, outbox: { status: 'down' } },
      });
      expect(response.body.error.outbox.due).toBeGreaterThanOrEqual(1);
      expect(response.body.error.outbox.oldestDueAgeMs).toBeGreaterThanOrEqual(600_000);
    } finally {
      await strict.dataSource.query('DELETE FROM outbox WHERE event_id = ?', [eventId]);
      await strict.close();
    }
    // The generous instance was never affected, and nothing is left behind.
    await http.get('/health/ready').expect(200);
  });

  it('ready answers 503 with kafka down when no broker answers, and stays 200 for liveness', async () => {
    const cut = await startRegistry(testConfig({ env: { ...quiet, KAFKA_BROKERS: '127.0.0.1:9', HEALTH_KAFKA_TIMEOUT_MS: '1500', RELAY_BACKLOG_MAX_AGE_MS: String(24 * 3600_000) } }));
    try {
      const cutHttp = request(cut.app.getHttpServer());
      const response = await cutHttp.get('/health/ready').expect(503);
      expect(response.body).toMatchObject({
        status: 'error',
        info: { database: { status: 'up' }, outbox: { status: 'up' } },
        error: { kafka: { status: 'down', message: expect.any(String) } },
      });
      await cutHttp.get('/health/live').expect(200);
    } finally {
      await cut.close();
    }
  });
});
