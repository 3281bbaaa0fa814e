import { restrictionTopic } from '@cd/contracts';
import { anEventFor, anOrganisationExitBan } from '@cd/contracts/testing/fixtures';
import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { startBroker, stopBroker } from '../../../../test/support/broker';
import { TopicObserver, type SeenMessage } from '../../../../test/support/kafka';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { Metrics } from '../metrics/metrics';
import { EventSigner } from './event-signer';
import { COURTS, exitBanBody, listingBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { waitForMarked } from '../../../../test/support/stored';

const KINDS = ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN'] as const;

/** Versions seen per key, in consumption order, every copy kept: a late older copy must show. */
function versionsByKey(messages: SeenMessage[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const m of messages) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m.value.data.version]);
  return byKey;
}

/**
 * Per key, versions never decrease in consumption order; a repeat of the version just seen is allowed
 * (a batch sent again after a failure or a hand-over). Returns the distinct versions per key, in order.
 */
function expectNeverDecreasing(byKey: Map<string, number[]>): Map<string, number[]> {
  const distinct = new Map<string, number[]>();
  for (const [key, versions] of byKey) {
    const decreases = versions.flatMap((version, i) => (i > 0 && version < versions[i - 1] ? [`${versions[i - 1]} then ${version}`] : []));
    expect({ key, versions, decreases }).toEqual({ key, versions, decreases: [] });
    distinct.set(key, versions.filter((version, i) => i === 0 || version !== versions[i - 1]));
  }
  return distinct;
}

/** Batches the relay has sent so far, from its send-step histogram. */
async function relaySends(registry: TestRegistry): Promise<number> {
  const text = await registry.app.get(Metrics).registry.getSingleMetricAsString('credit_discipline_relay_step_seconds');
  return Number(/^credit_discipline_relay_step_seconds_count\{step="send"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('outbox relay (real MariaDB, real Kafka)', () => {
  const prefix = uniquePrefix();
  const topics = KINDS.map((kind) => restrictionTopic(kind, prefix));
  const relayEnv = { RELAY_MAX_BACKOFF_MS: '1000', RELAY_LEASE_MS: '15000' };
  let registry: TestRegistry;
  let observer: TopicObserver;
  let http: ReturnType<typeof request>;
  let court: string;

  beforeAll(async () => {
    await startBroker();
    registry = await startRegistry(testConfig({ topicPrefix: prefix, env: { ...relayEnv, INSTANCE_ID: 'relay-a' } }));
    await registry.relay.drainOnce(); // creates the topics
    observer = await TopicObserver.start(topics);
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
  });
  afterAll(async () => {
    await observer?.stop();
    await registry?.close();
    await startBroker();
  });

  it('publishes each committed change once acknowledged, keyed by restriction id, and records partition and offset', async () => {
    const created = (await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body;
    await http.post(`/v1/restrictions/${created.id}/lift`).set('authorization', court).send({ reason: 'SECURITY_PROVIDED' }).expect(200);
    const seen = await observer.waitFor(() => observer.forKey(created.id).length === 2);
    const mine = seen.filter((m) => m.key === created.id);
    expect(mine.map((m) => [m.topic, m.value.type, m.value.data.version])).toEqual([
      [restrictionTopic('EXIT_BAN', prefix), 'cn.court.credit-discipline.restriction.imposed', 1],
      [restrictionTopic('EXIT_BAN', prefix), 'cn.court.credit-discipline.restriction.lifted', 2],
    ]);
    await waitForMarked(registry, [created.id]);
    const rows = await registry.dataSource.query('SELECT version, kafka_partition, kafka_offset, published_at FROM outbox WHERE restriction_id = ? ORDER BY version', [created.id]);
    expect(rows.map((r: { kafka_partition: number; kafka_offset: string }) => [r.kafka_partition, String(r.kafka_offset)])).toEqual(
      mine.map((m) => [m.partition, m.offset]),
    );
  });

  it('never skips a row whose transaction commits after later rows were published', async () => {
    const slow = await createConnection({ host: registry.config.db.host, port: registry.config.db.port, user: registry.config.db.user, password: registry.config.db.password, database: registry.config.db.database });
    const lateId = '00000000-0000-7000-8000-' + Date.now().toString(16).padStart(12, '0');
    const topic = restrictionTopic('EXIT_BAN', prefix);
    const lateEvent = registry.app.get(EventSigner).sign(anEventFor({ ...anOrganisationExitBan(), id: lateId }));
    const eventId = randomUUID();
    const payload = registry.app.get(FieldCipher).encrypt(JSON.stringify(lateEvent), contextOf.outboxPayload(eventId));
    await slow.beginTransaction();
    // Takes an AUTO_INCREMENT id now, commits only after other rows have gone out.
    await slow.query(
      `INSERT INTO outbox (event_id, restriction_id, version, topic, payload, available_at, created_at)
       VALUES (?, ?, 1, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
      [eventId, lateId, topic, payload],
    );
    const later = (await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body;
    await observer.waitFor(() => observer.forKey(later.id).length === 1);
    await slow.commit();
    await slow.end();
    await observer.waitFor(() => observer.forKey(lateId).length === 1);
  });

  it('holds a listing in its grace period and releases it, in order, when the court removes the grace period', async () => {
    const publishAfter = new Date(Date.now() + 45 * 86400_000).toISOString();
    const listing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody({ publishAfter })).expect(201)).body;
    expect(listing.published).toBe(false);
    const other = (await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body;
    await observer.waitFor(() => observer.forKey(other.id).length === 1);
    expect(observer.forKey(listing.id)).toHaveLength(0);
    expect(observer.forKey(listing.linkedRestrictions[0].id)).toHaveLength(0);

    await http.patch(`/v1/restrictions/${listing.id}`).set('authorization', court).set('if-match', '1').send({ publishAfter: null }).expect(200);
    await observer.waitFor(() => observer.forKey(listing.id).length === 2);
    expect(observer.forKey(listing.id).map((m) => m.value.data.version)).toEqual([1, 2]);
  });

  it('keeps accepting changes while the broker is down and publishes all 200, in per-restriction order, after it returns', async () => {
    await stopBroker();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push((await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body.id);
    }
    for (const id of ids) {
      await http.patch(`/v1/restrictions/${id}`).set('authorization', court).set('if-match', '1').send({ subject: { name: '更正一' } }).expect(200);
      await http.patch(`/v1/restrictions/${id}`).set('authorization', court).set('if-match', '2').send({ subject: { name: '更正二' } }).expect(200);
      await http.post(`/v1/restrictions/${id}/lift`).set('authorization', court).send({ reason: 'PERFORMED' }).expect(200);
    }
    const [{ n }] = await registry.dataSource.query(`SELECT COUNT(*) n FROM outbox WHERE restriction_id IN (?) AND published_at IS NULL`, [ids]);
    expect(Number(n)).toBe(200);

    await startBroker();
    await observer.waitFor(() => ids.every((id) => new Set(observer.forKey(id).map((m) => m.value.id)).size === 4), 120000);
    const byKey = expectNeverDecreasing(versionsByKey(observer.messages.filter((m) => ids.includes(m.key))));
    for (const id of ids) expect(byKey.get(id)).toEqual([1, 2, 3, 4]);
  });

  it('drains a backlog of many batches, the next selected while the last is sent: each version once, in order, every row marked', async () => {
    await registry.relay.stop();
    const small = await startRegistry(testConfig({ topicPrefix: prefix, env: { ...relayEnv, INSTANCE_ID: 'relay-c', RELAY_BATCH_SIZE: '7', RELAY_MARK_CONCURRENCY: '2' } }));
    try {
      await small.relay.stop(); // the backlog is built first, then drained in one go
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body.id);
      for (let version = 1; version <= 3; version++) {
        await Promise.all(
          ids.map((id) => http.patch(`/v1/restrictions/${id}`).set('authorization', court).set('if-match', String(version)).send({ subject: { name: `第${version}次更正` } }).expect(200)),
        );
      }
      const sendsBefore = await relaySends(small);
      small.relay.start();
      await observer.waitFor(() => ids.every((id) => new Set(observer.forKey(id).map((m) => m.value.id)).size === 4), 60000);
      const byKey = expectNeverDecreasing(versionsByKey(observer.messages.filter((m) => ids.includes(m.key))));
      for (const id of ids) expect(byKey.get(id)).toEqual([1, 2, 3, 4]);
      await small.relay.stop();
      const [unmarked] = await small.dataSource.query('SELECT COUNT(*) AS n FROM outbox WHERE restriction_id IN (?) AND (published_at IS NULL OR kafka_offset IS NULL)', [ids]);
      expect(Number(unmarked.n)).toBe(0);
      // 120 rows in batches of at most 7, head of line holding each restriction's later versions back.
      expect((await relaySends(small)) - sendsBefore).toBeGreaterThanOrEqual(Math.ceil(120 / 7));
    } finally {
      await small.close();
      registry.relay.start();
    }
  });

  it('two relay instances: versions never go back per key across lease hand-overs', async () => {
    const second = await startRegistry(testConfig({ topicPrefix: prefix, env: { ...relayEnv, INSTANCE_ID: 'relay-b' } }));
    try {
      const httpB = request(second.app.getHttpServer());
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body.id);
      for (let round = 0; round < 6; round++) {
        // Interleave changes through both instances, and hand the lease over mid-stream.
        if (round === 2) await registry.relay.stop();
        if (round === 4) {
          registry.relay.start();
          await second.relay.stop();
        }
        await Promise.all(
          ids.map(async (id, i) => {
            const client = (i + round) % 2 === 0 ? http : httpB;
            await client.patch(`/v1/restrictions/${id}`).set('authorization', court).set('if-match', String(round + 1)).send({ subject: { name: `第${round}次更正` } }).expect(200);
          }),
        );
      }
      await observer.waitFor(() => ids.every((id) => new Set(observer.forKey(id).map((m) => m.value.id)).size === 7), 60000);
      const byKey = expectNeverDecreasing(versionsByKey(observer.messages.filter((m) => ids.includes(m.key))));
      for (const id of ids) expect(byKey.get(id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await second.close();
      registry.relay.start();
    }
  });
});
