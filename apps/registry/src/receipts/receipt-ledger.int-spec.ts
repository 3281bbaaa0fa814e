// The ledger's answers that depend on the order in which things happen: a receipt before the
// relay's bookkeeping, a skipped or late version, a deactivated partner, a failed ledger write.
// Its own database and no relay loop: the test decides when versions are marked published, and
// the ledger holds exactly the partners registered here (so "fully lifted" can be asserted).
import { rejectedReceiptsTopic, receiptsTopic, signReceipt, type Receipt, type UnsignedReceipt } from '@cd/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import request from 'supertest';
import { recreateDatabase } from '../../../../test/support/database';
import { TopicObserver } from '../../../../test/support/kafka';
import { registerPartner, type TestPartner } from '../../../../test/support/partners';
import { COURTS, listingBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { drainOutbox } from '../../../../test/support/stored';

interface Rejection {
  partnerId: string | null;
  reason: string;
  detail: string;
  receipt: Record<string, unknown> | string | null;
}

async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('receipt intake and the delivery ledger, in every order (real MariaDB, real Kafka)', () => {
  const prefix = uniquePrefix();
  const config = testConfig({
    topicPrefix: prefix,
    database: `${(process.env.DB_NAME ?? 'credit_discipline_test').replace(/_test$/, '')}_receipt_ledger_test`,
    env: { RELAY_ENABLED: 'false', OVERDUE_SCAN_INTERVAL_MS: '3600000' },
  });
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let court: string;
  let admin: string;
  let observer: TopicObserver;
  let producer: Producer;

  const ledger = async (restrictionId: string, partnerId: string) =>
    (await registry.dataSource.query('SELECT * FROM deliveries WHERE restriction_id = ? AND partner_id = ?', [restrictionId, partnerId]))[0];
  const enforcement = async (id: string) => (await http.get(`/v1/restrictions/${id}/enforcement`).set('authorization', court).expect(200)).body;
  const eventId = async (restrictionId: string, version: number): Promise<string> =>
    (await registry.dataSource.query('SELECT event_id FROM outbox WHERE restriction_id = ? AND version = ?', [restrictionId, version]))[0].event_id;
  const submit = (partner: TestPartner, body: object) => http.post('/v1/receipts').set('authorization', `Bearer ${partner.token}`).send(body);
  const confirm = async (partner: TestPartner, restrictionId: string, version: number) =>
    (await submit(partner, partner.receipt({ restrictionId, version, eventId: await eventId(restrictionId, version) })).expect(202)).body.status;
  /** A listing (v1) published to the partners obliged now. */
  const listed = async (): Promise<string> => {
    const created = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    await drainOutbox(registry);
    return created.id;
  };
  const lift = (id: string) => http.post(`/v1/restrictions/${id}/lift`).set('authorization', court).send({ reason: 'PERFORMED', includeLinked: true }).expect(200);
  /** Waits until the rejected-receipts topic holds `count` rejections matching `which`, and returns them. */
  const rejectionsOf = async (which: (r: Rejection) => boolean, count = 1): Promise<Rejection[]> => {
    const matching = (messages: { topic: string; value: unknown }[]) => messages.filter((m) => m.topic === rejectedReceiptsTopic(prefix)).map((m) => m.value as Rejection).filter(which);
    return matching(await observer.waitFor((messages) => matching(messages).length >= count, 30_000));
  };

  /** A receipt signed by the partner with exactly these fields. */
  const signed = (by: TestPartner, fields: Partial<UnsignedReceipt> & Pick<UnsignedReceipt, 'restrictionId' | 'version' | 'eventId'>): Receipt =>
    signReceipt({ partnerId: by.id, outcome: 'APPLIED', time: new Date().toISOString(), keyId: by.keyId, ...fields }, by.privateKeyPem);

  beforeAll(async () => {
    await recreateDatabase(config.db);
    registry = await startRegistry(config);
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    admin = `Bearer ${registry.token({ role: 'admin' })}`;
    await drainOutbox(registry);
    observer = await TopicObserver.start([rejectedReceiptsTopic(prefix)], config.kafka.brokers);
    producer = new Kafka({ clientId: 'test-partner', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  // Each test's partners leave with it: later restrictions are owed by the next test's partners only.
  const registered: TestPartner[] = [];
  const partner = async (sector: Parameters<typeof registerPartner>[1]) => {
    const created = await registerPartner(registry, sector, { kinds: ['DISHONEST_LISTING'] });
    registered.push(created);
    return created;
  };
  afterEach(async () => {
    for (const { id } of registered.splice(0)) await http.patch(`/v1/admin/partners/${id}`).set('authorization', admin).send({ active: false });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await observer?.stop();
    await registry?.close();
  });

  it('a lift confirmed before the relay recorded its publication is marked lifted once it is recorded', async () => {
    const bank = await partner('BANK');
    const bureau = await partner('CREDIT_BUREAU');
    const id = await listed();
    expect(await confirm(bank, id, 1)).toBe('ACCEPTED');
    expect(await confirm(bureau, id, 1)).toBe('ACCEPTED');
    await lift(id);
    // Released to the topic, not yet marked published (no relay loop): intake accepts the lift receipts.
    expect(await confirm(bank, id, 2)).toBe('ACCEPTED');
    expect(await confirm(bureau, id, 2)).toBe('ACCEPTED');
    const early = await ledger(id, bank.id);
    expect(early).toMatchObject({ published_version: 1, confirmed_version: 2, lift_version: null, lift_confirmed_at: null, awaiting: 0 });
    expect((await enforcement(id)).fullyLifted).toBe(false);
    // Counted in time-to-receipt as answered at once (the publication is recorded later still); BIGINT reads as text.
    expect(await registry.dataSource.query('SELECT published_at, latency_ms FROM receipts WHERE restriction_id = ? AND version = 2', [id])).toEqual([
      { published_at: null, latency_ms: '0' },
      { published_at: null, latency_ms: '0' },
    ]);

    await drainOutbox(registry);
    const report = await enforcement(id);
    expect(report).toMatchObject({ status: 'LIFTED', fullyEnforced: true, fullyLifted: true });
    for (const partner of [bank, bureau]) {
      const row = report.partners.find((p: { partnerId: string }) => p.partnerId === partner.id);
      expect(row).toMatchObject({ publishedVersion: 2, confirmedVersion: 2, liftVersion: 2, overdue: false, upToDate: true });
      // Confirmed when the receipt came, not when the relay caught up.
      expect(row.liftConfirmedAt).toBe(row.confirmedAt);
      expect(row.imposedConfirmedAt).not.toBeNull();
    }
    expect(await ledger(id, bank.id)).toMatchObject({ awaiting: 0, failed_version: null });
  });

  it('a receipt for version n satisfies the earlier ones; a late receipt for an earlier version moves nothing back', async () => {
    const bank = await partner('BANK');
    const id = await listed();
    const v1 = await eventId(id, 1);
    await lift(id);
    await drainOutbox(registry);
    expect(await ledger(id, bank.id)).toMatchObject({ published_version: 2, confirmed_version: 0, awaiting: 1 });
    // v1 skipped: the lift's receipt confirms both.
    expect(await confirm(bank, id, 2)).toBe('ACCEPTED');
    const confirmed = await ledger(id, bank.id);
    expect(confirmed).toMatchObject({ published_version: 2, confirmed_version: 2, lift_version: 2, awaiting: 0 });
    expect(confirmed.imposed_confirmed_at).not.toBeNull();
    expect(confirmed.lift_confirmed_at).toEqual(confirmed.confirmed_at);
    expect((await enforcement(id)).fullyLifted).toBe(true);

    // Late receipts for v1, applied and failed: recorded as received, the ledger keeps v2.
    expect((await submit(bank, bank.receipt({ restrictionId: id, version: 1, eventId: v1 })).expect(202)).body.status).toBe('ACCEPTED');
    expect((await submit(bank, bank.receipt({ restrictionId: id, version: 1, eventId: v1, outcome: 'FAILED', reason: '系统维护' })).expect(202)).body.status).toBe('ACCEPTED');
    expect(await ledger(id, bank.id)).toEqual(confirmed);
    const stored = await registry.dataSource.query('SELECT version, outcome FROM receipts WHERE restriction_id = ? AND partner_id = ? ORDER BY version, outcome', [id, bank.id]);
    expect(stored).toEqual([
      { version: 1, outcome: 'APPLIED' },
      { version: 1, outcome: 'FAILED' },
      { version: 2, outcome: 'APPLIED' },
    ]);
  });

  it('a deactivated partner gets no new obligations but still confirms what it owes, so the lift completes; its changes are audited', async () => {
    const leaving = await partner('BANK');
    const staying = await partner('AIRLINE');
    const owed = await listed();
    await confirm(leaving, owed, 1);
    await confirm(staying, owed, 1);
    await http.patch(`/v1/admin/partners/${leaving.id}`).set('authorization', admin).send({ name: '改名后的银行' }).expect(200);
    await http.patch(`/v1/admin/partners/${leaving.id}`).set('authorization', admin).send({ active: false }).expect(200);
    const audit = await registry.dataSource.query("SELECT action, actor_role, details FROM audit_log WHERE resource_type = 'partner' AND resource_id = ? ORDER BY id", [leaving.id]);
    expect(audit.map((a: { action: string; actor_role: string }) => [a.action, a.actor_role])).toEqual([
      ['partner.register', 'admin'],
      ['partner.update', 'admin'],
      ['partner.deactivate', 'admin'],
    ]);
    expect(JSON.parse(audit[1].details)).toEqual({ changes: { name: '改名后的银行' } });
    expect(JSON.parse(audit[2].details)).toEqual({ changes: { active: false } });

    const notOwed = await listed();
    expect(await ledger(notOwed, leaving.id)).toBeUndefined();
    await lift(owed);
    await drainOutbox(registry);
    expect(await ledger(owed, leaving.id)).toMatchObject({ published_version: 2, lift_version: 2, awaiting: 1 });
    expect(await confirm(staying, owed, 2)).toBe('ACCEPTED');
    expect((await enforcement(owed)).fullyLifted).toBe(false);
    expect(await confirm(leaving, owed, 2)).toBe('ACCEPTED');
    expect(await enforcement(owed)).toMatchObject({ fullyLifted: true });
    const overdue = await registry.dataSource.query('SELECT COUNT(*) n FROM deliveries WHERE partner_id = ? AND awaiting = 1', [leaving.id]);
    expect(Number(overdue[0].n)).toBe(0);

    // What it does not owe is refused, with its reason, on REST and on the topic; nothing is recorded.
    const stray = leaving.receipt({ restrictionId: notOwed, version: 1, eventId: await eventId(notOwed, 1) });
    const res = await submit(leaving, stray).expect(422);
    expect(res.body).toMatchObject({ code: 'RECEIPT_REJECTED', reason: 'PARTNER_INACTIVE' });
    const notices = await rejectionsOf((r) => typeof r.receipt === 'object' && r.receipt?.restrictionId === notOwed);
    expect(notices).toEqual([expect.objectContaining({ partnerId: leaving.id, reason: 'PARTNER_INACTIVE' })]);
    expect(await registry.dataSource.query('SELECT * FROM receipts WHERE restriction_id = ?', [notOwed])).toEqual([]);
    expect(await ledger(notOwed, leaving.id)).toBeUndefined();
  });
  it('Kafka offsets move on only after the ledger write: a failed write is redelivered and applied, not rejected', async () => {
    const bank = await partner('BANK');
    const id = await listed();
    const query = (sql: string, params: unknown[] = []) => registry.dataSource.query(sql, params);
    // MyISAM: the probe's log survives the rollback of the transaction it fails.
    await query('CREATE TABLE IF NOT EXISTS ledger_write_failures (restriction_id CHAR(36) NOT NULL) ENGINE=MyISAM');
    await query('DROP TRIGGER IF EXISTS ledger_write_probe');
    await query(
      `CREATE TRIGGER ledger_write_probe BEFORE UPDATE ON deliveries FOR EACH ROW
       BEGIN
         IF NEW.restriction_id = '${id}' AND NEW.confirmed_version > OLD.confirmed_version THEN
           INSERT INTO ledger_write_failures VALUES (NEW.restriction_id);
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'ledger write probe';
         END IF;
       END`,
    );
    const failures = async () => Number((await query('SELECT COUNT(*) n FROM ledger_write_failures WHERE restriction_id = ?', [id]))[0].n);
    try {
      await producer.send({ topic: receiptsTopic(prefix), messages: [{ key: id, value: JSON.stringify(bank.receipt({ restrictionId: id, version: 1, eventId: await eventId(id, 1) })) }] });
      await eventually(async () => (await failures()) > 0, 'the ledger write to fail');
      expect(await ledger(id, bank.id)).toMatchObject({ confirmed_version: 0 });
    } finally {
      await query('DROP TRIGGER IF EXISTS ledger_write_probe');
    }
    await eventually(async () => (await ledger(id, bank.id)).confirmed_version === 1, 'the redelivered receipt to be applied');
    expect(await query('SELECT outcome, channel FROM receipts WHERE restriction_id = ?', [id])).toEqual([{ outcome: 'APPLIED', channel: 'kafka' }]);
    const rejected = observer.messages.filter((m) => m.topic === rejectedReceiptsTopic(prefix)).map((m) => m.value as unknown as Rejection);
    expect(rejected.filter((r) => typeof r.receipt === 'object' && r.receipt?.restrictionId === id)).toEqual([]);
  });
  it('a receipt the database could not store is rejected with its reason and does not stall the partition; four-byte text is kept', async () => {
    const bank = await partner('BANK');
    const id = await listed();
    const fields = { restrictionId: id, version: 1, eventId: await eventId(id, 1) };
    // Before this was checked, the first two failed the ledger's UPDATE (501 and 201 code points, which
    // class-validator counted as 500 and 200) and the batch came again forever; year 10000 was stored as
    // 0000-00-00 (INSERT IGNORE turns the out-of-range error into a warning).
    const bad: [Receipt, string][] = [
      [signed(bank, { ...fields, outcome: 'FAILED', reason: `${'r'.repeat(500)}\uFE0F` }), '/reason'],
      [signed(bank, { ...fields, partnerReference: `${'p'.repeat(200)}\uFE0F` }), '/partnerReference'],
      [signed(bank, { ...fields, time: '9999-12-31T23:59:59-05:00' }), '/time'], // year 10000 in UTC
      [signed(bank, { ...fields, time: new Date(Date.now() + 2 * 86_400_000).toISOString() }), '/time'],
      [signed(bank, { ...fields, time: '1999-12-31T23:59:59Z' }), '/time'],
      [signed(bank, { ...fields, time: '2026-12-31T23:59:60Z' }), '/time'],
    ];
    const failedFirst = signed(bank, { ...fields, outcome: 'FAILED', reason: '系统😀维护𠀀' });
    const good = signed(bank, { ...fields, partnerReference: '票号-😀-𠀀' });
    // One key: one partition, in this order.
    await producer.send({ topic: receiptsTopic(prefix), messages: [...bad.map(([receipt]) => receipt), failedFirst, good].map((r) => ({ key: id, value: JSON.stringify(r) })) });

    await eventually(async () => (await ledger(id, bank.id)).confirmed_version === 1, 'the valid receipt behind the bad ones to be applied');
    expect(await ledger(id, bank.id)).toMatchObject({ confirmed_outcome: 'APPLIED', partner_reference: '票号-😀-𠀀', failed_version: null });
    expect(await registry.dataSource.query('SELECT outcome, reason, partner_reference FROM receipts WHERE restriction_id = ? ORDER BY outcome', [id])).toEqual([
      { outcome: 'APPLIED', reason: null, partner_reference: '票号-😀-𠀀' },
      { outcome: 'FAILED', reason: '系统😀维护𠀀', partner_reference: null },
    ]);
    const rejected = await rejectionsOf((r) => typeof r.receipt === 'object' && r.receipt?.restrictionId === id, bad.length);
    const bySignature = new Map(rejected.map((r) => [(r.receipt as { signature: string }).signature, r]));
    expect(rejected).toHaveLength(bad.length);
    for (const [receipt, field] of bad) {
      const rejection = bySignature.get(receipt.signature);
      expect({ field, reason: rejection?.reason, partnerId: rejection?.partnerId }).toEqual({ field, reason: 'MALFORMED', partnerId: bank.id });
      expect(rejection?.detail).toContain(field);
    }
  });
  it('a REST body that cannot be read is answered 400/413/415 and, from an authenticated partner, published as MALFORMED under its id', async () => {
    const bank = await partner('BANK');
    const post = (authorization?: string) => {
      const req = http.post('/v1/receipts').set('content-type', 'application/json');
      return authorization ? req.set('authorization', authorization) : req;
    };
    const bearer = `Bearer ${bank.token}`;
    const notJson = await post(bearer).send('{"partnerId": "' + bank.id + '", nope').expect(400);
    const empty = await post(bearer).send('').expect(400);
    const prototypeKey = await post(bearer).send(JSON.stringify({ partnerId: bank.id, toString: 'x' })).expect(400);
    const otherType = await http.post('/v1/receipts').set('authorization', bearer).set('content-type', 'text/plain').send('APPLIED').expect(415);
    const tooLarge = await post(bearer)
      .send(JSON.stringify({ partnerId: bank.id, partnerReference: 'x'.repeat(registry.config.http.bodyLimitBytes) }))
      .expect(413);
    expect([notJson.body.code, empty.body.code, prototypeKey.body.code]).toEqual(['MALFORMED_REQUEST', 'MALFORMED_REQUEST', 'VALIDATION_FAILED']);
    // Without a partner's token there is nobody to publish it for.
    await post().send('{ nope').expect(400);
    await post(`Bearer ${registry.token({ role: 'partner', partner: bank.id })}x`).send('{ nope').expect(400);

    const published = await observer.waitFor((messages) => messages.filter((m) => m.topic === rejectedReceiptsTopic(prefix) && m.key === bank.id).length >= 5);
    const mine = published.filter((m) => m.topic === rejectedReceiptsTopic(prefix) && m.key === bank.id).map((m) => m.value as unknown as Rejection);
    expect(mine).toEqual([
      expect.objectContaining({ partnerId: bank.id, reason: 'MALFORMED', detail: notJson.body.detail, receipt: null }),
      expect.objectContaining({ partnerId: bank.id, reason: 'MALFORMED', detail: empty.body.detail, receipt: null }),
      expect.objectContaining({ partnerId: bank.id, reason: 'MALFORMED', detail: prototypeKey.body.detail, receipt: { partnerId: bank.id, toString: 'x' } }),
      expect.objectContaining({ partnerId: bank.id, reason: 'MALFORMED', detail: otherType.body.detail, receipt: null }),
      expect.objectContaining({ partnerId: bank.id, reason: 'MALFORMED', detail: tooLarge.body.detail, receipt: null }),
    ]);
  });
});
