import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

function sample(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} not in the scrape`);
  return Number(match[1]);
}

describe('metrics scrape (real MariaDB)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let admin: string;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' } }));
    http = request(registry.app.getHttpServer());
    admin = `Bearer ${registry.token({ role: 'admin' })}`;
  });
  afterAll(() => registry?.close());

  it('reports the outbox backlog and the publish lag, read from the database on scrape', async () => {
    const eventId = randomUUID();
    // Due 90 s ago and never published: every relay here is disabled.
    await registry.dataSource.query(
      `INSERT INTO outbox (event_id, restriction_id, version, topic, payload, available_at, created_at)
       VALUES (?, ?, 1, ?, '{}', UTC_TIMESTAMP(3) - INTERVAL 90 SECOND, UTC_TIMESTAMP(3) - INTERVAL 90 SECOND)`,
      [eventId, randomUUID(), `${registry.config.kafka.topicPrefix}.metrics-probe`],
    );
    try {
      const text = (await http.get('/metrics').set('authorization', admin).expect(200)).text;
      expect(text).toContain('# TYPE credit_discipline_outbox_backlog gauge');
      expect(sample(text, 'credit_discipline_outbox_backlog')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'credit_discipline_outbox_publish_lag_seconds')).toBeGreaterThanOrEqual(90);
      expect(sample(text, 'credit_discipline_outbox_held')).toBeGreaterThanOrEqual(0);
    } finally {
      await registry.dataSource.query('DELETE FROM outbox WHERE event_id = ?', [eventId]);
    }
  });

  it('observes request durations by method, route pattern and status — never the raw URL', async () => {
    const unknownId = randomUUID();
    await http.get('/health/live').expect(200);
    await http.get(`/v1/restrictions/${unknownId}`).set('authorization', `Bearer ${registry.courtToken()}`).expect(404);
    const text = (await http.get('/metrics').set('authorization', admin).expect(200)).text;
    expect(text).toContain('# TYPE credit_discipline_http_request_duration_seconds histogram');
    expect(text).toMatch(/^credit_discipline_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]/m);
    expect(text).toMatch(/^credit_discipline_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/restrictions\/:id",status="404"\} \d+/m);
    expect(text).not.toContain(unknownId);
  });

  it('is refused without an admin or supervisor token', async () => {
    await http.get('/metrics').expect(401);
    await http.get('/metrics').set('authorization', `Bearer ${registry.courtToken()}`).expect(403);
  });
});
