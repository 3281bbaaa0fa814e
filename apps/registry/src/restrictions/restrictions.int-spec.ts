import request from 'supertest';
import { COURTS, exitBanBody, listingBody, residentId, startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

describe('court restrictions API (real MariaDB)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let court: string;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false' } }));
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
  });
  afterAll(() => registry.close());

  const count = async (sql: string, params: unknown[]) => Number((await registry.dataSource.query(sql, params))[0].n);

  it('lists a person: listing + linked consumption restriction, with history, outbox and audit rows in one go', async () => {
    const body = listingBody();
    const res = await http.post('/v1/restrictions').set('authorization', court).send(body).expect(201);
    expect(res.headers.location).toBe(`/v1/restrictions/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ kind: 'DISHONEST_LISTING', version: 1, status: 'ACTIVE', published: true });
    expect(res.body.case.courtCode).toBe(COURTS.HAIDIAN);
    expect(res.body.expiresAt).toBeDefined();
    expect(res.body.linkedRestrictions).toHaveLength(1);
    const linkedId = res.body.linkedRestrictions[0].id;

    const linked = await http.get(`/v1/restrictions/${linkedId}`).set('authorization', court).expect(200);
    expect(linked.body).toMatchObject({ kind: 'CONSUMPTION_RESTRICTION', linkedListingId: res.body.id, version: 1 });
    expect(linked.body.measures).toHaveLength(11);

    for (const id of [res.body.id, linkedId]) {
      expect(await count('SELECT COUNT(*) n FROM restriction_history WHERE restriction_id = ?', [id])).toBe(1);
      expect(await count('SELECT COUNT(*) n FROM outbox WHERE restriction_id = ? AND version = 1', [id])).toBe(1);
      expect(await count("SELECT COUNT(*) n FROM audit_log WHERE resource_id = ? AND action = 'restriction.impose'", [id])).toBe(1);
    }
    const got = await http.get(`/v1/restrictions/${res.body.id}`).set('authorization', court).expect(200);
    expect(got.body.subject.name).toBe('张𠀀三');
  });

  it('corrects with If-Match, lifts with a reason, and each change adds exactly one version', async () => {
    const created = (await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body;
    const amended = await http
      .patch(`/v1/restrictions/${created.id}`)
      .set('authorization', court)
      .set('if-match', '"1"')
      .send({ subject: { name: '李肆' } })
      .expect(200);
    expect(amended.body).toMatchObject({ version: 2, subject: { name: '李肆' } });
    const lifted = await http.post(`/v1/restrictions/${created.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED' }).expect(200);
    expect(lifted.body).toMatchObject({ version: 3, status: 'LIFTED', liftReason: 'PERFORMED' });
    const versions = await registry.dataSource.query('SELECT version FROM outbox WHERE restriction_id = ? ORDER BY id', [created.id]);
    expect(versions.map((r: { version: number }) => r.version)).toEqual([1, 2, 3]);
  });

  it("searches only the calling court's restrictions, by identifier, case number, kind and status", async () => {
    const id = residentId();
    const mine = (await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody({ subject: { type: 'PERSON', name: '王五', identifier: { type: 'RESIDENT_ID', value: id } } })).expect(201)).body;
    const other = `Bearer ${registry.courtToken(COURTS.CHAOYANG)}`;
    await http.post('/v1/restrictions').set('authorization', other).send(exitBanBody({ subject: { type: 'PERSON', name: '王五', identifier: { type: 'RESIDENT_ID', value: id } } })).expect(201);

    const byId = await http.get('/v1/restrictions').query({ idNumber: id }).set('authorization', court).expect(200);
    expect(byId.body.items.map((r: { id: string }) => r.id)).toEqual([mine.id]);
    const byCase = await http.get('/v1/restrictions').query({ caseNumber: mine.case.caseNumber, kind: 'EXIT_BAN', status: 'ACTIVE' }).set('authorization', court).expect(200);
    expect(byCase.body.items).toHaveLength(1);

    const firstPage = await http.get('/v1/restrictions').query({ limit: '1' }).set('authorization', court).expect(200);
    expect(firstPage.body.items).toHaveLength(1);
    expect(firstPage.body.nextCursor).toBe(firstPage.body.items[0].id);
    const second = await http.get('/v1/restrictions').query({ limit: '1', cursor: firstPage.body.nextCursor }).set('authorization', court).expect(200);
    expect(second.body.items[0].id < firstPage.body.items[0].id).toBe(true);
  });

  it('grants a necessity permission on a consumption restriction', async () => {
    const listing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    const consumptionId = listing.linkedRestrictions[0].id;
    const from = new Date(Date.now() + 86400_000).toISOString();
    const until = new Date(Date.now() + 5 * 86400_000).toISOString();
    const res = await http
      .post(`/v1/restrictions/${consumptionId}/permissions`)
      .set('authorization', court)
      .send({ measures: ['AIR_TRAVEL'], validFrom: from, validUntil: until, reason: '赴上海就医' })
      .expect(201);
    expect(res.body.version).toBe(2);
    expect(res.body.permissions).toEqual([expect.objectContaining({ measures: ['AIR_TRAVEL'], validFrom: from, validUntil: until })]);
  });

  it('lifting a listing with includeLinked lifts its consumption restriction in the same transaction', async () => {
    const listing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    await http.post(`/v1/restrictions/${listing.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED', includeLinked: true }).expect(200);
    const linked = await http.get(`/v1/restrictions/${listing.linkedRestrictions[0].id}`).set('authorization', court).expect(200);
    expect(linked.body).toMatchObject({ status: 'LIFTED', liftReason: 'PERFORMED', version: 2 });
  });

  it('refuses to lift a listing\'s consumption restriction while the debtor is still listed (Consumption Rules Art. 1)', async () => {
    const listing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    const consumptionId = listing.linkedRestrictions[0].id;
    const refused = await http.post(`/v1/restrictions/${consumptionId}/lift`).set('authorization', court).send({ reason: 'CREDITOR_CONSENT' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'LINKED_LISTING_ACTIVE', errors: [expect.objectContaining({ field: 'reason' })] });
    await http.post(`/v1/restrictions/${listing.id}/lift`).set('authorization', court).send({ reason: 'EARLY_DELETION' }).expect(200);
    const lifted = await http.post(`/v1/restrictions/${consumptionId}/lift`).set('authorization', court).send({ reason: 'CREDITOR_CONSENT' }).expect(200);
    expect(lifted.body).toMatchObject({ status: 'LIFTED', version: 2 });
  });

  it('parallel requests with one Idempotency-Key create exactly one restriction and one event', async () => {
    const body = exitBanBody();
    const key = `idem-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(body)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const caseNo = (body.case as { caseNumber: string }).caseNumber;
    expect(await count('SELECT COUNT(*) n FROM restrictions WHERE case_number = ?', [caseNo])).toBe(1);
    expect(await count('SELECT COUNT(*) n FROM outbox WHERE restriction_id = ?', [[...ids][0]])).toBe(1);

    const replay = await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(body).expect(201);
    expect(replay.body.id).toBe([...ids][0]);
    const reuse = await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(exitBanBody()).expect(422);
    expect(reuse.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('Idempotency-Keys differing only in letter case are different keys', async () => {
    const key = `Case-${Date.now()}`;
    const first = await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key).send(exitBanBody()).expect(201);
    const second = await http.post('/v1/restrictions').set('authorization', court).set('idempotency-key', key.toLowerCase()).send(exitBanBody()).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  // A court's list is read newest first and stops at the page size. For every combination of the
  // search's equality filters an index must hold exactly those columns (InnoDB appends the id, so
  // the index yields the newest first), or start with court + a per-case key (identifier, case
  // number), where a court has a handful of rows to sort.
  it('every combination of the court search filters has an index that serves it', async () => {
    const rows: { name: string; col: string }[] = await registry.dataSource.query(
      `SELECT index_name name, column_name col FROM information_schema.statistics
        WHERE table_schema = DATABASE() AND table_name = 'restrictions' ORDER BY index_name, seq_in_index`,
    );
    const indexes = new Map<string, string[]>();
    for (const row of rows) indexes.set(row.name, [...(indexes.get(row.name) ?? []), row.col]);
    const optional = ['kind', 'status', 'subject_id_hash', 'case_number'];
    const served = (filters: string[]) =>
      [...indexes.values()].some(
        (columns) =>
          (columns.length === filters.length && columns.every((c) => filters.includes(c))) ||
          (columns.length === 2 && columns[0] === 'court_code' && ['subject_id_hash', 'case_number'].includes(columns[1]) && filters.includes(columns[1])),
      );
    const unserved: string[] = [];
    for (let mask = 0; mask < 1 << optional.length; mask++) {
      const filters = ['court_code', ...optional.filter((_, i) => mask & (1 << i))];
      if (!served(filters)) unserved.push(filters.join('+'));
    }
    expect(unserved).toEqual([]);
  });
});
