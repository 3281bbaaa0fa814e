import { randomBytes, randomUUID } from 'node:crypto';
import { bucketOf, restrictionTopic } from '@cd/contracts';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { EncryptPersonalData1764800000000 } from '../../../../migrations/1764800000000-EncryptPersonalData';
import { recreateDatabase } from '../../../../test/support/database';
import { TopicObserver } from '../../../../test/support/kafka';
import { registerPartner, type TestPartner } from '../../../../test/support/partners';
import { COURTS, exitBanBody, listingBody, residentId, startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { storedEvents, waitUntil } from '../../../../test/support/stored';
import { ReadAuditLog } from '../audit/read-audit.log';
import { IdentifierHasher } from '../common/identifier-hasher';
import type { AppConfig } from '../config/app-config';
import { contextOf, ENCRYPTED_COLUMNS } from './encrypted-columns';
import { FieldCipher } from './field-cipher';
import { reencrypt } from './reencrypt';

/** Every text column of the database in which the value occurs: where a search of the raw data would find it. */
async function placesHolding(dataSource: DataSource, needle: string): Promise<string[]> {
  const columns: { t: string; c: string }[] = await dataSource.query(
    `SELECT TABLE_NAME t, COLUMN_NAME c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json')`,
  );
  const found: string[] = [];
  for (const { t, c } of columns) {
    const [{ n }] = await dataSource.query(`SELECT COUNT(*) n FROM \`${t}\` WHERE \`${c}\` LIKE ?`, [`%${needle}%`]);
    if (Number(n) > 0) found.push(`${t}.${c}`);
  }
  return found;
}

/** Every stored value of the encrypted columns, by column and row key. */
async function storedValues(dataSource: DataSource): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const column of ENCRYPTED_COLUMNS) {
    const rows: Record<string, unknown>[] = await dataSource.query(`SELECT ${column.key.join(', ')}, ${column.column} AS v FROM ${column.table}`);
    for (const row of rows) values.set(`${column.table}.${column.column}:${column.key.map((k) => String(row[k])).join('/')}`, String(row.v));
  }
  return values;
}

function personalListing(idNumber: string): Record<string, unknown> {
  return listingBody({ subject: { type: 'PERSON', name: '王𠀀五', identifier: { type: 'RESIDENT_ID', value: idNumber }, sex: 'FEMALE' } });
}

describe('personal data at rest (real MariaDB, real Kafka)', () => {
  const prefix = uniquePrefix();
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let court: string;
  let regulator: TestPartner;
  let observer: TopicObserver;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ topicPrefix: prefix, env: { RECEIPTS_CONSUMER_ENABLED: 'false' } }));
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    regulator = await registerPartner(registry, 'MARKET_REGULATOR');
    await registry.relay.drainOnce();
    observer = await TopicObserver.start([restrictionTopic('DISHONEST_LISTING', prefix)]);
  });
  afterAll(async () => {
    await observer?.stop();
    await registry?.close();
  });

  it('stores no identifier in plaintext, while the court, the topic and the partner still get it in full', async () => {
    const idNumber = residentId('1979-03-04');
    const key = `pii-${randomUUID()}`;
    const body = personalListing(idNumber);
    const created = (await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(body).expect(201)).body;
    await http.patch(`/v1/restrictions/${created.id}`).set('authorization', court).set('if-match', '1').send({ subject: { name: '王𠀀伍' } }).expect(200);

    // Nowhere in the database, in any text column of any table.
    expect(await placesHolding(registry.dataSource, idNumber)).toEqual([]);
    expect(await placesHolding(registry.dataSource, idNumber.slice(0, 14))).toEqual([]);
    const kid = registry.config.dataKeys.activeKeyId;
    const raw = [
      ...(await registry.dataSource.query('SELECT state v FROM restrictions WHERE id IN (?, ?)', [created.id, created.linkedRestrictions[0].id])),
      ...(await registry.dataSource.query('SELECT state v FROM restriction_history WHERE restriction_id = ?', [created.id])),
      ...(await registry.dataSource.query('SELECT payload v FROM outbox WHERE restriction_id = ?', [created.id])),
      ...(await registry.dataSource.query('SELECT response v FROM idempotency_keys WHERE idem_key = ?', [key])),
    ].map((row: { v: string }) => row.v);
    expect(raw).toHaveLength(2 + 2 + 2 + 1);
    for (const value of raw) expect(value.startsWith(`v1:${kid}:`)).toBe(true);

    // The court reads its restriction in full; a replay of the write is answered from the encrypted copy.
    expect((await http.get(`/v1/restrictions/${created.id}`).set('authorization', court).expect(200)).body.subject).toMatchObject({ name: '王𠀀伍', identifier: { value: idNumber } });
    expect((await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(body).expect(201)).body).toEqual(created);

    // Partners get the identifier in the signed event, on the topic and in their current set.
    await observer.waitFor(() => observer.forKey(created.id).length === 2);
    expect(observer.forKey(created.id).map((m) => m.value.data.subject.identifier.value)).toEqual([idNumber, idNumber]);
    await waitUntil(async () => (await registry.dataSource.query('SELECT published_version v FROM deliveries WHERE restriction_id = ? AND partner_id = ?', [created.id, regulator.id]))[0]?.v === 2);
    const page = (await http.get('/v1/partners/me/restrictions').query({ bucket: String(bucketOf(created.id)) }).set('authorization', `Bearer ${regulator.token}`).expect(200)).body;
    const mine = page.items.find((item: { restrictionId: string }) => item.restrictionId === created.id);
    expect(mine.event).toEqual(observer.forKey(created.id)[1].value);
  });

  it('audits every response with full identifiers: a row per restriction shown to a court, a row per current-set page shown to a partner', async () => {
    const idNumber = residentId('1981-07-08');
    const created = (await http.post('/v1/restrictions').set('authorization', court).send(personalListing(idNumber)).expect(201)).body;
    const got = await http.get(`/v1/restrictions/${created.id}`).set('authorization', court).expect(200);
    const found = await http.get('/v1/restrictions').query({ idNumber }).set('authorization', court).expect(200);
    expect(found.body.items.map((r: { id: string }) => r.id).sort()).toEqual([created.id, created.linkedRestrictions[0].id].sort());
    await observer.waitFor(() => observer.forKey(created.id).length === 1);
    await waitUntil(async () => (await registry.dataSource.query('SELECT published_version v FROM deliveries WHERE restriction_id = ? AND partner_id = ?', [created.id, regulator.id]))[0]?.v === 1);
    const bucket = bucketOf(created.id);
    const page = await http.get('/v1/partners/me/restrictions').query({ bucket: String(bucket) }).set('authorization', `Bearer ${regulator.token}`).expect(200);
    // No flush: the rows are written before the response is sent.

    const reads = await registry.dataSource.query(
      `SELECT actor_role, actor_id, resource_id, request_id, details FROM audit_log WHERE action = 'restriction.read' AND resource_id IN (?, ?) ORDER BY id`,
      [created.id, created.linkedRestrictions[0].id],
    );
    expect(reads.map((r: { resource_id: string; request_id: string; details: string }) => [r.resource_id, r.request_id, JSON.parse(r.details).via])).toEqual([
      [created.id, got.headers['x-request-id'], 'get'],
      ...found.body.items.map((r: { id: string }) => [r.id, found.headers['x-request-id'], 'search']),
    ]);
    expect(new Set(reads.map((r: { actor_role: string; actor_id: string }) => `${r.actor_role}/${r.actor_id}`))).toEqual(new Set([`court/clerk@${COURTS.HAIDIAN}`]));
    const pages = await registry.dataSource.query(`SELECT actor_role, resource_id, details FROM audit_log WHERE action = 'partner.current-set.read' AND request_id = ?`, [
      page.headers['x-request-id'],
    ]);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ actor_role: 'partner', resource_id: regulator.id });
    expect(JSON.parse(pages[0].details)).toMatchObject({ bucket, count: page.body.items.length });
  });

  it('audits a replayed write: the stored response shows full identifiers again', async () => {
    const key = `replay-${randomBytes(6).toString('hex')}`;
    const body = personalListing(residentId('1979-03-03'));
    const first = await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(body).expect(201);
    const replay = await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(body).expect(201);
    expect(replay.body).toEqual(first.body);
    const reads = await registry.dataSource.query(`SELECT actor_role, request_id, details FROM audit_log WHERE action = 'restriction.read' AND resource_id = ?`, [first.body.id]);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ actor_role: 'court', request_id: replay.headers['x-request-id'] });
    expect(JSON.parse(reads[0].details)).toEqual({ version: 1, via: 'replay' });
  });

  it('refuses a read (503 AUDIT_UNAVAILABLE, no identifiers) whose audit row cannot be written', async () => {
    const idNumber = residentId('1978-04-04');
    const created = (await http.post('/v1/restrictions').set('authorization', court).send(personalListing(idNumber)).expect(201)).body;
    await registry.dataSource.query('DROP TRIGGER IF EXISTS read_audit_probe');
    await registry.dataSource.query(
      `CREATE TRIGGER read_audit_probe BEFORE INSERT ON audit_log FOR EACH ROW
         BEGIN
           IF NEW.resource_id = '${created.id}' AND NEW.action = 'restriction.read' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected audit failure';
           END IF;
         END`,
    );
    try {
      const refused = await http.get(`/v1/restrictions/${created.id}`).set('authorization', court).expect(503);
      expect(refused.body.code).toBe('AUDIT_UNAVAILABLE');
      expect(refused.text).not.toContain(idNumber);
    } finally {
      await registry.dataSource.query('DROP TRIGGER IF EXISTS read_audit_probe');
    }
    await http.get(`/v1/restrictions/${created.id}`).set('authorization', court).expect(200);
    expect(await registry.dataSource.query(`SELECT id FROM audit_log WHERE action = 'restriction.read' AND resource_id = ?`, [created.id])).toHaveLength(1);
  });

  it('shows the public and the debtor only masked identifiers, so their reads need no audit', async () => {
    const idNumber = residentId('1975-11-12');
    const created = (await http.post('/v1/restrictions').set('authorization', court).send(personalListing(idNumber)).expect(201)).body;
    const listed = await http.get('/v1/public/dishonest-debtors').query({ idNumber }).expect(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    const status = await http.get('/v1/me/status').set('authorization', `Bearer ${registry.token({ role: 'debtor', identifier: idNumber })}`).expect(200);
    expect(status.body.restrictions.map((r: { id: string }) => r.id)).toContain(created.id);
    for (const response of [listed, status]) {
      expect(response.text).not.toContain(idNumber);
      expect(response.text).not.toContain(idNumber.slice(6, 14));
    }
    await registry.app.get(ReadAuditLog).flush();
    expect(await registry.dataSource.query(`SELECT id FROM audit_log WHERE resource_id = ? AND action LIKE '%read%'`, [created.id])).toEqual([]);
  });

  it('holds back an outbox row that does not decrypt, with its error, and keeps publishing the others', async () => {
    const foreign = new FieldCipher({ keys: { elsewhere: randomBytes(32) }, activeKeyId: 'elsewhere' });
    const eventId = randomUUID();
    await registry.dataSource.query(
      `INSERT INTO outbox (event_id, restriction_id, version, topic, payload, available_at, created_at)
       VALUES (?, ?, 1, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
      [eventId, randomUUID(), restrictionTopic('DISHONEST_LISTING', prefix), foreign.encrypt('{}', contextOf.outboxPayload(eventId))],
    );
    try {
      const created = (await http.post('/v1/restrictions').set('authorization', court).send(personalListing(residentId())).expect(201)).body;
      await observer.waitFor(() => observer.forKey(created.id).length === 1);
      await waitUntil(async () => (await registry.dataSource.query('SELECT last_error FROM outbox WHERE event_id = ?', [eventId]))[0].last_error !== null);
      const [held] = await registry.dataSource.query('SELECT published_at, attempts, last_error FROM outbox WHERE event_id = ?', [eventId]);
      expect(held).toMatchObject({ published_at: null, last_error: 'outbox.payload: no data key "elsewhere" is configured' });
    } finally {
      await registry.dataSource.query('DELETE FROM outbox WHERE event_id = ?', [eventId]);
    }
  });
});

describe('encryption migration and key rotation (own database)', () => {
  const database = (process.env.DB_NAME ?? 'credit_discipline_test').replace(/_test$/, '_encryption_test');
  const quiet = { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' };
  let config: AppConfig;
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let court: string;
  const people: { id: string; idNumber: string }[] = [];

  beforeAll(async () => {
    config = testConfig({ database, env: quiet });
    await recreateDatabase(config.db);
    registry = await startRegistry(config);
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    for (let i = 0; i < 3; i++) {
      const idNumber = residentId();
      const created = (await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', `mig-${i}-${randomUUID()}`).send(personalListing(idNumber)).expect(201)).body;
      await http.patch(`/v1/restrictions/${created.id}`).set('authorization', court).set('if-match', '1').send({ obligation: `更正 ${i}` }).expect(200);
      people.push({ id: created.id, idNumber });
    }
  });
  afterAll(async () => {
    await registry?.close();
    if (registry) {
      const { createConnection } = await import('mysql2/promise');
      const connection = await createConnection({ host: config.db.host, port: config.db.port, user: config.db.user, password: config.db.password });
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.end();
    }
  });

  /** Runs the migration as TypeORM does: one query runner, inside a transaction. */
  async function migrate(direction: 'up' | 'down', cipher = registry.app.get(FieldCipher)): Promise<void> {
    const runner = registry.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await new EncryptPersonalData1764800000000(cipher)[direction](runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
  }

  it('encrypts rows the previous release wrote in plaintext, keeps them readable, and changes nothing when run again', async () => {
    const template = (await http.get(`/v1/restrictions/${people[0].id}`).set('authorization', court).expect(200)).body;
    // As the previous release stored them: down decrypts every row in place…
    await migrate('down');
    for (const value of (await storedValues(registry.dataSource)).values()) expect(FieldCipher.isEnvelope(value)).toBe(false);
    for (const { idNumber } of people) {
      expect((await placesHolding(registry.dataSource, idNumber)).sort()).toEqual(['idempotency_keys.response', 'outbox.payload', 'restriction_history.state', 'restrictions.state']);
    }

    // …and one more restriction is inserted directly, the way that release wrote it.
    const idNumber = residentId('1966-06-06');
    const id = `01900000-0000-7000-8000-${randomBytes(6).toString('hex')}`;
    const { published: _published, linkedRestrictions: _linked, ...templateState } = template;
    const state = { ...templateState, id, version: 1, subject: { ...template.subject, identifier: { type: 'RESIDENT_ID', value: idNumber } } };
    const eventId = randomUUID();
    await registry.dataSource.query(
      `INSERT INTO restrictions (id, kind, version, status, court_code, case_number, subject_type, subject_name, subject_id_type, subject_id_hash,
                                 ground, decided_at, effective_at, state, created_at, updated_at)
       VALUES (?, 'DISHONEST_LISTING', 1, 'ACTIVE', ?, ?, 'PERSON', ?, 'RESIDENT_ID', ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
      [id, COURTS.HAIDIAN, `(2025)京0108执${Date.now()}号`, state.subject.name, registry.app.get(IdentifierHasher).hash(idNumber), state.ground, JSON.stringify(state)],
    );
    await registry.dataSource.query(
      `INSERT INTO restriction_history (restriction_id, version, change_type, event_id, actor, state, recorded_at) VALUES (?, 1, 'imposed', ?, 'court:110108', ?, UTC_TIMESTAMP(3))`,
      [id, eventId, JSON.stringify(state)],
    );
    await registry.dataSource.query(
      `INSERT INTO outbox (event_id, restriction_id, version, topic, payload, available_at, created_at, published_at)
       VALUES (?, ?, 1, 'legacy.dishonest-listing.v1', ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))`,
      [eventId, id, JSON.stringify({ id: eventId, data: state })],
    );
    people.push({ id, idNumber });

    await migrate('up');
    const encrypted = await storedValues(registry.dataSource);
    for (const value of encrypted.values()) expect(value.startsWith(`v1:${config.dataKeys.activeKeyId}:`)).toBe(true);
    for (const person of people) {
      expect(await placesHolding(registry.dataSource, person.idNumber)).toEqual([]);
      // Encrypted with the context each reader uses.
      expect((await http.get(`/v1/restrictions/${person.id}`).set('authorization', court).expect(200)).body.subject.identifier.value).toBe(person.idNumber);
      expect((await storedEvents(registry, person.id)).at(-1)!.event.data.subject.identifier.value).toBe(person.idNumber);
    }
    const [{ response, principal, idem_key: key }] = await registry.dataSource.query("SELECT principal, idem_key, response FROM idempotency_keys WHERE idem_key LIKE 'mig-0-%'");
    expect(JSON.parse(registry.app.get(FieldCipher).decrypt(response, contextOf.idempotencyResponse(principal, key))).subject.identifier.value).toBe(people[0].idNumber);

    // Re-runnable: values already encrypted are left exactly as they are.
    await migrate('up');
    expect(await storedValues(registry.dataSource)).toEqual(encrypted);
  });

  it('reencrypt moves every value to the new active key in batches; the old key can then be retired', async () => {
    const devKeys = Object.fromEntries(Object.entries(config.dataKeys.keys).map(([kid, key]) => [kid, key.toString('base64')]));
    const newKey = randomBytes(32).toString('base64');
    const rotated = testConfig({ database, env: { ...quiet, DATA_KEYS: JSON.stringify({ ...devKeys, '2026-k2': newKey }), DATA_KEY_ID: '2026-k2' } });
    const retired = testConfig({ database, env: { ...quiet, DATA_KEYS: JSON.stringify({ '2026-k2': newKey }) } });

    // Between switching the key and re-encrypting: old values still read, new ones are written under the new key.
    const during = await startRegistry(rotated);
    try {
      const duringHttp = request(during.app.getHttpServer());
      expect((await duringHttp.get(`/v1/restrictions/${people[0].id}`).set('authorization', court).expect(200)).body.subject.identifier.value).toBe(people[0].idNumber);
      const idNumber = residentId();
      const created = (await duringHttp.post('/v1/restrictions').set('authorization', court).send(exitBanBody({ subject: { type: 'PERSON', name: '赵六', identifier: { type: 'RESIDENT_ID', value: idNumber } } })).expect(201)).body;
      const [{ state }] = await during.dataSource.query('SELECT state FROM restrictions WHERE id = ?', [created.id]);
      expect(state.startsWith('v1:2026-k2:')).toBe(true);
      people.push({ id: created.id, idNumber });
    } finally {
      await during.close();
    }

    const lines: string[] = [];
    const results = await reencrypt(rotated, { batchSize: 2, log: (line) => lines.push(line) });
    expect(results.map((r) => [`${r.table}.${r.column}`, r.rewritten > 0, r.failed])).toEqual(ENCRYPTED_COLUMNS.map((c) => [`${c.table}.${c.column}`, true, 0]));
    expect(lines.join('\n')).toContain('re-encrypted under "2026-k2"');
    for (const value of (await storedValues(registry.dataSource)).values()) expect(value.startsWith('v1:2026-k2:')).toBe(true);
    expect((await reencrypt(rotated, { batchSize: 2 })).map((r) => r.rewritten)).toEqual([0, 0, 0, 0]);

    // Old key gone: everything still reads; an instance that has only the old key reads nothing.
    const after = await startRegistry(retired);
    try {
      const afterHttp = request(after.app.getHttpServer());
      for (const person of people) {
        expect((await afterHttp.get(`/v1/restrictions/${person.id}`).set('authorization', court).expect(200)).body.subject.identifier.value).toBe(person.idNumber);
      }
    } finally {
      await after.close();
    }
    await http.get(`/v1/restrictions/${people[0].id}`).set('authorization', court).expect(500);
  });
});
