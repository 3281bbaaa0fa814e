import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { COURTS, exitBanBody, listingBody, residentId, startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';
import { storedEvents } from '../../../../test/support/stored';
import { Clock } from './clock';

// Correction requests (List Rules Arts. 11–12) against the real MariaDB. The corrections'
// clock is fixed per step, so deadlines are exact and independent of the day the tests run;
// the listings are decided on 15 Jan 2026, before every fixed "now".

const DECIDED_AT = '2026-01-15T02:00:00.000Z';
/** An instant given as China wall-clock time. */
const china = (local: string) => new Date(`${local}+08:00`);
/** A deadline: the last millisecond of a China date. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

interface Listed {
  listing: { id: string; version: number; linkedRestrictions: { id: string }[] };
  identifier: string;
  debtor: string;
}

describe('correction requests (real MariaDB)', () => {
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let fixedNow: Date | undefined;
  const court = { haidian: '', beijingHigh: '', chaoyang: '', spc: '' };

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' } }));
    http = request(registry.app.getHttpServer());
    court.haidian = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    court.beijingHigh = `Bearer ${registry.courtToken(COURTS.BEIJING_HIGH)}`;
    court.chaoyang = `Bearer ${registry.courtToken(COURTS.CHAOYANG)}`;
    court.spc = `Bearer ${registry.courtToken(COURTS.SPC)}`;
    jest.spyOn(registry.app.get(Clock), 'now').mockImplementation(() => new Date((fixedNow ?? new Date()).getTime()));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await registry.close();
  });

  const at = (local: string) => {
    fixedNow = china(local);
    return fixedNow.toISOString();
  };
  const rows = (sql: string, params: unknown[] = []) => registry.dataSource.query(sql, params);
  const count = async (sql: string, params: unknown[] = []) => Number((await rows(sql, params))[0].n);

  async function listed(overrides: Record<string, unknown> = {}): Promise<Listed> {
    const identifier = residentId();
    const body = listingBody({
      subject: { type: 'PERSON', name: '张三', identifier: { type: 'RESIDENT_ID', value: identifier }, sex: 'MALE' },
      decidedAt: DECIDED_AT,
      ...overrides,
    });
    const listing = (await http.post('/v1/restrictions').set('authorization', court.haidian).send(body).expect(201)).body;
    const debtor = `Bearer ${registry.token({ role: 'debtor', identifier, sub: `debtor-${randomBytes(4).toString('hex')}` })}`;
    return { listing, identifier, debtor };
  }

  const fileCorrection = (who: Listed, body: Record<string, unknown> = {}) =>
    http
      .post('/v1/me/corrections')
      .set('authorization', who.debtor)
      .send({ restrictionId: who.listing.id, ground: 'SHOULD_NOT_BE_LISTED', statement: '本人并非该案被执行人，系同名同姓。', ...body });
  const decide = (id: string, decision: 'ACCEPT' | 'REJECT', token = court.haidian) =>
    http.post(`/v1/corrections/${id}/decision`).set('authorization', token).send({ decision, reason: decision === 'ACCEPT' ? '经审查，申请成立。' : '经审查，申请理由不成立。' });
  const reconsider = (id: string, debtor: string) =>
    http.post(`/v1/me/corrections/${id}/reconsideration`).set('authorization', debtor).send({ statement: '原决定认定事实错误，请求复议。' });
  const decideReconsideration = (id: string, decision: 'ACCEPT' | 'REJECT', token = court.beijingHigh) =>
    http.post(`/v1/corrections/${id}/reconsideration-decision`).set('authorization', token).send({ decision, reason: '复议审查意见。' });
  const carryOut = (id: string, body: Record<string, unknown>, token = court.haidian) => http.post(`/v1/corrections/${id}/carry-out`).set('authorization', token).send(body);
  const restriction = async (id: string) => (await http.get(`/v1/restrictions/${id}`).set('authorization', court.haidian).expect(200)).body;

  it('full path: filed → rejected → reconsideration → accepted by the higher court → revoked within 3 working days', async () => {
    const debtor = await listed();
    const { listing } = debtor;

    const filedAt = at('2026-03-02T10:00:00'); // Monday
    const filed = await fileCorrection(debtor).expect(201);
    const id = filed.body.id;
    expect(filed.headers.location).toBe(`/v1/me/corrections/${id}`);
    expect(filed.body).toMatchObject({
      restrictionId: listing.id,
      ground: 'SHOULD_NOT_BE_LISTED',
      status: 'FILED',
      version: 1,
      filedAt,
      decisionDueAt: endOf('2026-03-17'),
      overdue: false,
      pendingAct: { act: 'DECISION', party: 'ENFORCING_COURT', dueAt: endOf('2026-03-17') },
    });

    const rejectedAt = at('2026-03-09T15:00:00');
    const rejected = await decide(id, 'REJECT').expect(200);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', decidedBy: `court:${COURTS.HAIDIAN}`, reconsiderationDueBy: endOf('2026-03-19'), reconsiderationWindowOpen: true });

    const reconsideredAt = at('2026-03-18T09:30:00');
    const reconsidered = await reconsider(id, debtor.debtor).expect(200);
    expect(reconsidered.body).toMatchObject({
      status: 'RECONSIDERATION_FILED',
      reconsiderationCourtCode: COURTS.BEIJING_HIGH,
      reconsiderationDueAt: endOf('2026-04-02'),
      pendingAct: { act: 'RECONSIDERATION_DECISION', party: 'HIGHER_COURT' },
    });
    // Reconsideration does not suspend the listing.
    expect(await restriction(listing.id)).toMatchObject({ status: 'ACTIVE', version: 1 });

    const higherList = await http.get('/v1/corrections/reconsiderations').query({ limit: '200' }).set('authorization', court.beijingHigh).expect(200);
    expect(higherList.body.items.map((c: { id: string }) => c.id)).toContain(id);
    const notHigher = await http.get('/v1/corrections/reconsiderations').query({ limit: '200' }).set('authorization', court.haidian).expect(200);
    expect(notHigher.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    await http.get(`/v1/corrections/${id}`).set('authorization', court.beijingHigh).expect(200);

    const acceptedAt = at('2026-03-25T11:00:00'); // Wednesday
    const accepted = await decideReconsideration(id, 'ACCEPT').expect(200);
    expect(accepted.body).toMatchObject({ status: 'RECONSIDERATION_ACCEPTED', reconsiderationDecision: 'ACCEPT', carryOutDueAt: endOf('2026-03-30') });
    expect(await restriction(listing.id)).toMatchObject({ status: 'ACTIVE', version: 1 });

    const carriedOutAt = at('2026-03-27T16:00:00');
    const done = await carryOut(id, { action: 'REVOKE', includeLinked: true }).expect(200);
    expect(done.headers.etag).toBe('"5"');
    expect(done.body).toMatchObject({ status: 'CARRIED_OUT', version: 5, carryOutAction: 'REVOKE', carriedOutVersion: 2, carriedOutAt, overdue: false, pendingAct: null });
    expect(Date.parse(done.body.carriedOutAt)).toBeLessThanOrEqual(Date.parse(done.body.carryOutDueAt));

    // The listing (and, as asked, its linked consumption restriction) is revoked as by a court command.
    expect(await restriction(listing.id)).toMatchObject({ status: 'LIFTED', liftReason: 'REVOKED', version: 2, liftNote: `correction request ${id}` });
    expect(await restriction(listing.linkedRestrictions[0].id)).toMatchObject({ status: 'LIFTED', liftReason: 'REVOKED', version: 2 });
    const outbox = await storedEvents(registry, listing.id);
    expect(outbox.map((r) => r.version)).toEqual([1, 2]);
    expect(outbox[1].event).toMatchObject({ type: 'cn.court.credit-discipline.restriction.lifted', data: { version: 2, status: 'LIFTED', liftReason: 'REVOKED' } });
    expect(await rows('SELECT actor, change_type FROM restriction_history WHERE restriction_id = ? AND version = 2', [listing.id])).toEqual([
      { actor: `court:${COURTS.HAIDIAN}`, change_type: 'lifted' },
    ]);
    expect(await count("SELECT COUNT(*) n FROM audit_log WHERE resource_id = ? AND action = 'restriction.lift' AND actor_role = 'court'", [listing.id])).toBe(1);

    // Every step is on the timeline, with actor and time, and in the audit log.
    const mine = await http.get('/v1/me/corrections').set('authorization', debtor.debtor).expect(200);
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0].timeline).toEqual([
      { seq: 1, at: filedAt, actor: 'debtor', action: 'FILED', details: expect.objectContaining({ ground: 'SHOULD_NOT_BE_LISTED', decisionDueAt: endOf('2026-03-17') }) },
      { seq: 2, at: rejectedAt, actor: `court:${COURTS.HAIDIAN}`, action: 'REJECTED', details: expect.objectContaining({ decision: 'REJECT', reconsiderationDueBy: endOf('2026-03-19') }) },
      { seq: 3, at: reconsideredAt, actor: 'debtor', action: 'RECONSIDERATION_FILED', details: expect.objectContaining({ reconsiderationCourtCode: COURTS.BEIJING_HIGH }) },
      { seq: 4, at: acceptedAt, actor: `court:${COURTS.BEIJING_HIGH}`, action: 'RECONSIDERATION_ACCEPTED', details: expect.objectContaining({ carryOutDueAt: endOf('2026-03-30') }) },
      { seq: 5, at: carriedOutAt, actor: `court:${COURTS.HAIDIAN}`, action: 'CARRIED_OUT', details: { action: 'REVOKE', restrictionVersion: 2, liftReason: 'REVOKED' } },
    ]);
    const audit = await rows("SELECT action, actor_role, before_version, after_version FROM audit_log WHERE resource_type = 'correction' AND resource_id = ? ORDER BY id", [id]);
    expect(audit.map((a: { action: string; actor_role: string }) => `${a.actor_role}:${a.action}`)).toEqual([
      'debtor:correction.file',
      'court:correction.reject',
      'debtor:correction.reconsideration.file',
      'court:correction.reconsideration.accept',
      'court:correction.carry-out',
    ]);

    // The debtor is stored by keyed hash only.
    const [stored] = await rows(
      'SELECT c.debtor_id_hash = r.subject_id_hash AS same FROM correction_requests c JOIN restrictions r ON r.id = c.restriction_id WHERE c.id = ?',
      [id],
    );
    expect(Number(stored.same)).toBe(1);
    const plaintext = `%${debtor.identifier}%`;
    expect(await count('SELECT COUNT(*) n FROM correction_events WHERE request_id = ? AND details LIKE ?', [id, plaintext])).toBe(0);
    expect(await count('SELECT COUNT(*) n FROM audit_log WHERE resource_id = ? AND (details LIKE ? OR actor_id LIKE ?)', [id, plaintext, plaintext])).toBe(0);
  });

  it('an accepted INFORMATION_WRONG request is carried out as an amendment (new version, corrected field)', async () => {
    const debtor = await listed();
    at('2026-03-02T10:00:00');
    const id = (await fileCorrection(debtor, { ground: 'INFORMATION_WRONG', statement: '姓名记载错误，应为张叁。' }).expect(201)).body.id;
    at('2026-03-03T10:00:00');
    expect((await decide(id, 'ACCEPT').expect(200)).body).toMatchObject({ status: 'ACCEPTED', carryOutDueAt: endOf('2026-03-06') });

    at('2026-03-04T10:00:00');
    const mismatch = await carryOut(id, { action: 'REVOKE' }).expect(422);
    expect(mismatch.body).toMatchObject({ code: 'CARRY_OUT_ACTION_MISMATCH', errors: [expect.objectContaining({ field: 'action' })] });
    const noAmendment = await carryOut(id, { action: 'AMEND' }).expect(422);
    expect(noAmendment.body).toMatchObject({ code: 'FIELD_REQUIRED', errors: [expect.objectContaining({ field: 'amend' })] });
    expect(await restriction(debtor.listing.id)).toMatchObject({ version: 1, subject: { name: '张三' } });

    const done = await carryOut(id, { action: 'AMEND', amend: { subject: { name: '张叁' } } }).expect(200);
    expect(done.body).toMatchObject({ status: 'CARRIED_OUT', carryOutAction: 'AMEND', carriedOutVersion: 2 });
    expect(await restriction(debtor.listing.id)).toMatchObject({ status: 'ACTIVE', version: 2, subject: { name: '张叁' } });
    const outbox = await storedEvents(registry, debtor.listing.id);
    expect(outbox.map((r) => r.version)).toEqual([1, 2]);
    expect(outbox[1].event).toMatchObject({ type: 'cn.court.credit-discipline.restriction.amended', data: { version: 2, subject: { name: '张叁' } } });
    await carryOut(id, { action: 'AMEND', amend: { subject: { name: '张叁' } } }).expect(409);
  });

  it('an accepted SHOULD_BE_DELETED request is carried out as a deletion with its reason', async () => {
    const debtor = await listed();
    at('2026-03-02T10:00:00');
    const id = (await fileCorrection(debtor, { ground: 'SHOULD_BE_DELETED', statement: '已全部履行完毕。' }).expect(201)).body.id;
    await decide(id, 'ACCEPT').expect(200);
    expect((await carryOut(id, { action: 'DELETE', liftReason: 'REVOKED' }).expect(422)).body.code).toBe('LIFT_REASON_NOT_ALLOWED');
    await carryOut(id, { action: 'DELETE', liftReason: 'PERFORMED' }).expect(200);
    expect(await restriction(debtor.listing.id)).toMatchObject({ status: 'LIFTED', liftReason: 'PERFORMED', version: 2 });
  });

  it('carrying out is atomic: when the timeline write fails, the listing is not revoked and no event is queued', async () => {
    const debtor = await listed();
    at('2026-03-02T10:00:00');
    const id = (await fileCorrection(debtor).expect(201)).body.id;
    await decide(id, 'ACCEPT').expect(200);
    await rows('DROP TRIGGER IF EXISTS correction_carry_out_probe');
    await rows(
      `CREATE TRIGGER correction_carry_out_probe BEFORE INSERT ON correction_events FOR EACH ROW
         BEGIN
           IF NEW.request_id = '${id}' AND NEW.action = 'CARRIED_OUT' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected timeline failure';
           END IF;
         END`,
    );
    try {
      expect((await carryOut(id, { action: 'REVOKE' }).expect(500)).body.code).toBe('INTERNAL');
    } finally {
      await rows('DROP TRIGGER IF EXISTS correction_carry_out_probe');
    }
    expect(await restriction(debtor.listing.id)).toMatchObject({ status: 'ACTIVE', version: 1 });
    expect(await count('SELECT COUNT(*) n FROM outbox WHERE restriction_id = ?', [debtor.listing.id])).toBe(1);
    expect(await count('SELECT COUNT(*) n FROM restriction_history WHERE restriction_id = ?', [debtor.listing.id])).toBe(1);
    expect(await count("SELECT COUNT(*) n FROM audit_log WHERE resource_id IN (?, ?) AND action IN ('restriction.lift', 'correction.carry-out')", [debtor.listing.id, id])).toBe(0);
    expect((await http.get(`/v1/corrections/${id}`).set('authorization', court.haidian).expect(200)).body).toMatchObject({ status: 'ACCEPTED', version: 2 });
    await carryOut(id, { action: 'REVOKE' }).expect(200);
    expect(await restriction(debtor.listing.id)).toMatchObject({ status: 'LIFTED', liftReason: 'REVOKED', version: 2 });
  });

  describe('deadlines', () => {
    it('decision is due 15 calendar days after filing, stored as such', async () => {
      const debtor = await listed();
      at('2026-09-16T20:00:00');
      const filed = (await fileCorrection(debtor).expect(201)).body;
      expect(filed.decisionDueAt).toBe(endOf('2026-10-01')); // not extended past National Day: the court's period
      const [row] = await rows('SELECT filed_at, decision_due_at FROM correction_requests WHERE id = ?', [filed.id]);
      expect(row.decision_due_at.toISOString()).toBe(endOf('2026-10-01'));
      expect(row.filed_at.toISOString()).toBe(china('2026-09-16T20:00:00').toISOString());
    });

    it('carrying out is due 3 working days after acceptance, over the Spring Festival and its adjusted Saturday', async () => {
      const debtor = await listed();
      at('2026-02-10T10:00:00');
      const id = (await fileCorrection(debtor).expect(201)).body.id;
      at('2026-02-13T17:30:00'); // Friday before the holiday
      const accepted = await decide(id, 'ACCEPT').expect(200);
      // Sat 14 Feb (worked) 1, 15–23 Feb off, Tue 24 Feb 2, Wed 25 Feb 3.
      expect(accepted.body.carryOutDueAt).toBe(endOf('2026-02-25'));
      const [row] = await rows('SELECT carry_out_due_at FROM correction_requests WHERE id = ?', [id]);
      expect(row.carry_out_due_at.toISOString()).toBe(endOf('2026-02-25'));

      at('2026-02-25T23:59:59.999');
      expect((await http.get(`/v1/corrections/${id}`).set('authorization', court.haidian).expect(200)).body.overdue).toBe(false);
      at('2026-02-26T00:00:00');
      expect((await http.get(`/v1/corrections/${id}`).set('authorization', court.haidian).expect(200)).body.overdue).toBe(true);
    });

    it('refuses reconsideration after the 10-day window (extended past the weekend) and changes nothing', async () => {
      const debtor = await listed();
      at('2026-03-02T10:00:00');
      const id = (await fileCorrection(debtor).expect(201)).body.id;
      at('2026-03-04T10:00:00');
      expect((await decide(id, 'REJECT').expect(200)).body.reconsiderationDueBy).toBe(endOf('2026-03-16')); // 14 Mar is a Saturday

      at('2026-03-17T00:00:00');
      const late = await reconsider(id, debtor.debtor).expect(422);
      expect(late.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(late.body.code).toBe('RECONSIDERATION_WINDOW_CLOSED');
      const mine = (await http.get(`/v1/me/corrections/${id}`).set('authorization', debtor.debtor).expect(200)).body;
      expect(mine).toMatchObject({ status: 'REJECTED', version: 2, reconsiderationWindowOpen: false, pendingAct: null });
      expect(mine.timeline).toHaveLength(2);

      // The same rule when the rejection is moved back in the database instead of the clock forward.
      const other = await listed();
      at('2026-03-02T10:00:00');
      const otherId = (await fileCorrection(other).expect(201)).body.id;
      await decide(otherId, 'REJECT').expect(200);
      await rows('UPDATE correction_requests SET reconsideration_due_by = ? WHERE id = ?', [china('2026-03-01T23:59:59.999'), otherId]);
      expect((await reconsider(otherId, other.debtor).expect(422)).body.code).toBe('RECONSIDERATION_WINDOW_CLOSED');

      // Once the window has closed, a new request on the listing may be filed.
      at('2026-03-18T10:00:00');
      await fileCorrection(debtor, { ground: 'SHOULD_BE_DELETED', statement: '已履行完毕。' }).expect(201);
    });

    it('a deadline in a year without holiday data is refused with 503 CALENDAR_NOT_COVERED, and nothing changes', async () => {
      const debtor = await listed();
      at('2026-12-28T10:00:00');
      const id = (await fileCorrection(debtor).expect(201)).body.id; // calendar days need no holiday data
      at('2026-12-30T10:00:00');
      for (const decision of ['ACCEPT', 'REJECT'] as const) {
        const refused = await decide(id, decision).expect(503);
        expect(refused.body).toMatchObject({ code: 'CALENDAR_NOT_COVERED' });
      }
      expect((await http.get(`/v1/corrections/${id}`).set('authorization', court.haidian).expect(200)).body).toMatchObject({ status: 'FILED', version: 1 });
    });

    it("overdue requests appear in the court's overdue list; a late decision is marked on the timeline", async () => {
      const debtor = await listed();
      at('2026-05-06T10:00:00');
      const id = (await fileCorrection(debtor).expect(201)).body.id; // decision due 21 May
      const list = (query: Record<string, string>) =>
        http.get('/v1/corrections').query({ limit: '200', ...query }).set('authorization', court.haidian).expect(200);
      const ids = (res: request.Response) => res.body.items.map((c: { id: string }) => c.id);

      at('2026-05-21T23:00:00');
      expect(ids(await list({ overdue: 'true' }))).not.toContain(id);
      expect(ids(await list({ overdue: 'false' }))).toContain(id);

      at('2026-05-22T09:00:00');
      const overdue = await list({ overdue: 'true' });
      expect(ids(overdue)).toContain(id);
      expect(overdue.body.items.find((c: { id: string }) => c.id === id)).toMatchObject({ overdue: true, pendingAct: { act: 'DECISION', party: 'ENFORCING_COURT' } });
      expect(ids(await list({ overdue: 'true', status: 'FILED' }))).toContain(id);
      expect(ids(await list({ overdue: 'true', status: 'ACCEPTED' }))).not.toContain(id);
      expect(ids(await list({ overdue: 'false' }))).not.toContain(id);
      const chaoyang = await http.get('/v1/corrections').query({ overdue: 'true', limit: '200' }).set('authorization', court.chaoyang).expect(200);
      expect(ids(chaoyang)).not.toContain(id);

      const late = await decide(id, 'ACCEPT').expect(200); // Fri 22 May: carry out by Wed 27 May
      expect(late.body.carryOutDueAt).toBe(endOf('2026-05-27'));
      expect(late.body.timeline[1]).toMatchObject({ action: 'ACCEPTED', details: expect.objectContaining({ late: true }) });
      expect(ids(await list({ overdue: 'true' }))).not.toContain(id);
      at('2026-05-28T08:00:00');
      expect(ids(await list({ overdue: 'true', status: 'ACCEPTED' }))).toContain(id);
    });
    it("the higher court's reconsideration decision is due 15 days after filing; past it, the request is in its overdue list", async () => {
      const debtor = await listed();
      at('2026-06-01T10:00:00');
      const id = (await fileCorrection(debtor).expect(201)).body.id;
      at('2026-06-03T10:00:00');
      await decide(id, 'REJECT').expect(200);
      at('2026-06-05T16:00:00');
      const filed = (await reconsider(id, debtor.debtor).expect(200)).body;
      expect(filed.reconsiderationDueAt).toBe(endOf('2026-06-20'));
      const [row] = await rows('SELECT reconsideration_due_at FROM correction_requests WHERE id = ?', [id]);
      expect(row.reconsideration_due_at.toISOString()).toBe(endOf('2026-06-20'));
      const list = (query: Record<string, string>, token = court.beijingHigh) =>
        http.get('/v1/corrections/reconsiderations').query({ limit: '200', ...query }).set('authorization', token).expect(200);
      const ids = (res: request.Response) => res.body.items.map((c: { id: string }) => c.id);

      at('2026-06-20T23:59:59.999');
      expect(ids(await list({ overdue: 'true' }))).not.toContain(id);
      expect(ids(await list({ overdue: 'false' }))).toContain(id);

      at('2026-06-21T00:00:00');
      const overdue = await list({ overdue: 'true' });
      expect(overdue.body.items.find((c: { id: string }) => c.id === id)).toMatchObject({
        overdue: true,
        pendingAct: { act: 'RECONSIDERATION_DECISION', party: 'HIGHER_COURT', dueAt: endOf('2026-06-20') },
      });
      expect(ids(await list({ overdue: 'true', status: 'RECONSIDERATION_FILED' }))).toContain(id);
      expect(ids(await list({ overdue: 'false' }))).not.toContain(id);
      // Not the enforcing court's to hear, and not in its own overdue list as a decision it owes.
      expect(ids(await list({ overdue: 'true' }, court.haidian))).not.toContain(id);
      expect((await http.get(`/v1/me/corrections/${id}`).set('authorization', debtor.debtor).expect(200)).body.overdue).toBe(true);

      const late = await decideReconsideration(id, 'REJECT').expect(200);
      expect(late.body).toMatchObject({ status: 'RECONSIDERATION_REJECTED', overdue: false, pendingAct: null });
      expect(late.body.timeline[3]).toMatchObject({ action: 'RECONSIDERATION_REJECTED', details: expect.objectContaining({ late: true }) });
      expect(ids(await list({ overdue: 'true' }))).not.toContain(id);
    });
  });

  describe('who may do what', () => {
    it('a debtor cannot file on, or see, or act on someone else’s listing or request', async () => {
      const alice = await listed();
      const bob = await listed();
      at('2026-03-02T10:00:00');
      const before = await count('SELECT COUNT(*) n FROM correction_requests');
      const refused = await fileCorrection({ ...bob, listing: alice.listing }).expect(403);
      expect(refused.body.code).toBe('FORBIDDEN');
      expect(await count('SELECT COUNT(*) n FROM correction_requests')).toBe(before);

      const id = (await fileCorrection(alice).expect(201)).body.id;
      expect((await http.get('/v1/me/corrections').set('authorization', bob.debtor).expect(200)).body).toEqual([]);
      await http.get(`/v1/me/corrections/${id}`).set('authorization', bob.debtor).expect(403);
      await decide(id, 'REJECT').expect(200);
      await reconsider(id, bob.debtor).expect(403);
      expect((await http.get(`/v1/me/corrections/${id}`).set('authorization', alice.debtor).expect(200)).body.status).toBe('REJECTED');
    });

    it('only the enforcing court decides and carries out; only its parent court decides the reconsideration', async () => {
      const debtor = await listed();
      at('2026-03-02T10:00:00');
      const id = (await fileCorrection(debtor).expect(201)).body.id;
      expect((await decide(id, 'REJECT', court.chaoyang).expect(403)).body.code).toBe('FORBIDDEN');
      await decide(id, 'REJECT', court.beijingHigh).expect(403);
      await http.get(`/v1/corrections/${id}`).set('authorization', court.chaoyang).expect(403);
      await http.get(`/v1/corrections/${id}`).set('authorization', court.beijingHigh).expect(403); // not before reconsideration is sought
      await decide(id, 'REJECT').expect(200);
      await reconsider(id, debtor.debtor).expect(200);

      for (const other of [court.haidian, court.chaoyang, court.spc]) {
        expect((await decideReconsideration(id, 'ACCEPT', other).expect(403)).body.code).toBe('FORBIDDEN');
      }
      await decideReconsideration(id, 'ACCEPT').expect(200);
      await carryOut(id, { action: 'REVOKE' }, court.beijingHigh).expect(403);
      await carryOut(id, { action: 'REVOKE' }, court.chaoyang).expect(403);
      expect(await restriction(debtor.listing.id)).toMatchObject({ status: 'ACTIVE', version: 1 });
      await carryOut(id, { action: 'REVOKE' }).expect(200);
    });

    it('roles: a court cannot use the debtor endpoints, a debtor not the court endpoints', async () => {
      const debtor = await listed();
      await http.post('/v1/me/corrections').set('authorization', court.haidian).send({ restrictionId: debtor.listing.id, ground: 'INFORMATION_WRONG', statement: 'x' }).expect(403);
      await http.get('/v1/corrections').set('authorization', debtor.debtor).expect(403);
      await http.get('/v1/me/corrections').expect(401);
    });

    it('refuses consumption restrictions and exit bans, lifted listings, and a second open request', async () => {
      const debtor = await listed();
      at('2026-03-02T10:00:00');
      const linked = await fileCorrection({ ...debtor, listing: { ...debtor.listing, id: debtor.listing.linkedRestrictions[0].id } }).expect(422);
      expect(linked.body).toMatchObject({ code: 'CORRECTION_KIND_NOT_ALLOWED', errors: [expect.objectContaining({ field: 'restrictionId' })] });
      const ban = (
        await http
          .post('/v1/restrictions')
          .set('authorization', court.haidian)
          .send(exitBanBody({ subject: { type: 'PERSON', name: '张三', identifier: { type: 'RESIDENT_ID', value: debtor.identifier } } }))
          .expect(201)
      ).body;
      expect((await fileCorrection({ ...debtor, listing: ban }).expect(422)).body.code).toBe('CORRECTION_KIND_NOT_ALLOWED');

      // Parallel filings on one listing: exactly one is accepted.
      const attempts = await Promise.all(Array.from({ length: 6 }, () => fileCorrection(debtor)));
      expect(attempts.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect(attempts.filter((r) => r.status === 409).every((r) => r.body.code === 'CORRECTION_ALREADY_OPEN')).toBe(true);
      expect(await count('SELECT COUNT(*) n FROM correction_requests WHERE restriction_id = ?', [debtor.listing.id])).toBe(1);

      const lifted = await listed();
      await http.post(`/v1/restrictions/${lifted.listing.id}/lift`).set('authorization', court.haidian).send({ reason: 'PERFORMED', includeLinked: true }).expect(200);
      expect((await fileCorrection(lifted).expect(409)).body.code).toBe('CORRECTION_RESTRICTION_LIFTED');
      expect((await fileCorrection({ ...lifted, listing: { ...lifted.listing, id: '0190a1b2-0000-7000-8000-000000000000' } }).expect(404)).body.code).toBe('RESTRICTION_NOT_FOUND');
    });
  });

  it('Idempotency-Key: a replay returns the original response and writes once; If-Match guards against a stale version', async () => {
    const debtor = await listed();
    at('2026-03-02T10:00:00');
    const key = `corr-${randomBytes(6).toString('hex')}`;
    const body = { restrictionId: debtor.listing.id, ground: 'INFORMATION_WRONG', statement: '身份证号记载错误。' };
    const first = await http.post('/v1/me/corrections').set('authorization', debtor.debtor).set('idempotency-key', key).send(body).expect(201);
    const replay = await http.post('/v1/me/corrections').set('authorization', debtor.debtor).set('idempotency-key', key).send(body).expect(201);
    expect(replay.body).toEqual(first.body);
    expect(await count('SELECT COUNT(*) n FROM correction_requests WHERE restriction_id = ?', [debtor.listing.id])).toBe(1);

    const stale = await http.post(`/v1/corrections/${first.body.id}/decision`).set('authorization', court.haidian).set('if-match', '"7"').send({ decision: 'ACCEPT', reason: '成立' }).expect(412);
    expect(stale.body.code).toBe('STALE_VERSION');
    const decisionKey = `${key}-decision`;
    const decided = await http.post(`/v1/corrections/${first.body.id}/decision`).set('authorization', court.haidian).set('if-match', '"1"').set('idempotency-key', decisionKey).send({ decision: 'ACCEPT', reason: '成立' }).expect(200);
    await carryOut(first.body.id, { action: 'AMEND', amend: { subject: { name: '张叁' } } }).expect(200);
    const again = await http.post(`/v1/corrections/${first.body.id}/decision`).set('authorization', court.haidian).set('if-match', '"1"').set('idempotency-key', decisionKey).send({ decision: 'ACCEPT', reason: '成立' }).expect(200);
    expect(again.body).toEqual(decided.body);
    expect(await count('SELECT COUNT(*) n FROM correction_events WHERE request_id = ?', [first.body.id])).toBe(3);
    await http.post(`/v1/corrections/${first.body.id}/decision`).set('authorization', court.haidian).set('idempotency-key', decisionKey).send({ decision: 'REJECT', reason: '成立' }).expect(422);
  });

  it('bad input is refused with 400 problem+json and changes nothing', async () => {
    const debtor = await listed();
    const other = await listed();
    at('2026-03-02T10:00:00');
    const accepted = (await fileCorrection(other, { ground: 'INFORMATION_WRONG' }).expect(201)).body.id;
    await decide(accepted, 'ACCEPT').expect(200);
    // Correction tables are this module's alone; other rows are scoped to the two listings.
    const listings = [debtor.listing.id, other.listing.id];
    const snapshot = async () =>
      rows(
        `SELECT (SELECT COUNT(*) FROM correction_requests) requests, (SELECT COUNT(*) FROM correction_events) events,
                (SELECT COUNT(*) FROM audit_log WHERE resource_type = 'correction' OR resource_id IN (?)) audit,
                (SELECT COUNT(*) FROM outbox WHERE restriction_id IN (?)) outbox,
                (SELECT COALESCE(SUM(version), 0) FROM restrictions WHERE id IN (?)) versions,
                (SELECT COUNT(*) FROM idempotency_keys WHERE principal LIKE 'debtor:%') idempotency`,
        [listings, listings, listings],
      );
    const before = await snapshot();

    const cases: [request.Test, string, string][] = [
      [fileCorrection(debtor, { ground: 'NOT_A_GROUND' }), 'ground', 'isIn'],
      [fileCorrection(debtor, { statement: '' }), 'statement', 'matches'],
      [fileCorrection(debtor, { statement: '   ' }), 'statement', 'matches'],
      [fileCorrection(debtor, { statement: 'x'.repeat(5001) }), 'statement', 'maxLength'],
      [fileCorrection(debtor, { restrictionId: 'not-a-uuid' }), 'restrictionId', 'matches'],
      [fileCorrection(debtor, { ground: null }), 'ground', 'isIn'],
      [fileCorrection(debtor, { extra: true }), 'extra', 'unknownField'],
      [http.post(`/v1/corrections/${accepted}/decision`).set('authorization', court.haidian).send({ decision: 'MAYBE', reason: 'x' }), 'decision', 'isIn'],
      [http.post(`/v1/corrections/${accepted}/decision`).set('authorization', court.haidian).send({ decision: 'ACCEPT' }), 'reason', 'isString'],
      [carryOut(accepted, { action: 'FIX' }), 'action', 'isIn'],
      [carryOut(accepted, { action: 'AMEND', amend: { subject: { nickname: 'x' } } }), 'amend.subject.nickname', 'unknownField'],
      [carryOut(accepted, { action: 'AMEND', amend: null }), 'amend', 'isObject'],
      [http.post('/v1/corrections/nope/carry-out').set('authorization', court.haidian).send({ action: 'AMEND' }), 'id', 'isUuid'],
      [http.get('/v1/corrections').query({ overdue: 'yes' }).set('authorization', court.haidian), 'overdue', 'isIn'],
      [http.get('/v1/corrections').query({ status: 'OPEN' }).set('authorization', court.haidian), 'status', 'isIn'],
    ];
    for (const [sent, field, rule] of cases) {
      const res = await sent;
      expect({ field, status: res.status, type: res.headers['content-type'] }).toEqual({ field, status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    }
    expect(await snapshot()).toEqual(before);
  });
});
