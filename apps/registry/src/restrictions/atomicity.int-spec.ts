import request from 'supertest';
import { COURTS, exitBanBody, residentId, startRegistry, testConfig, type TestRegistry } from '../../../../test/support/registry';

// A real failure injected by the database itself: a trigger rejects the outbox
// insert for one probe subject, after the restriction row was already written
// in the same transaction. (The payload is encrypted, so the trigger finds the
// subject through the restriction row this transaction has just written.)
describe('atomic change + event (real MariaDB)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ env: { RELAY_ENABLED: 'false' } }));
    await registry.dataSource.query('DROP TRIGGER IF EXISTS outbox_failure_probe');
    await registry.dataSource.query(
      `CREATE TRIGGER outbox_failure_probe BEFORE INSERT ON outbox FOR EACH ROW
         BEGIN
           IF (SELECT subject_name FROM restrictions WHERE id = NEW.restriction_id) = 'ATOMICITY-PROBE' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected outbox failure';
           END IF;
         END`,
    );
  });
  afterAll(async () => {
    await registry.dataSource.query('DROP TRIGGER IF EXISTS outbox_failure_probe');
    await registry.close();
  });

  it('a failure between the restriction write and the outbox write leaves no restriction, history or audit row', async () => {
    const idNumber = residentId();
    const body = exitBanBody({ subject: { type: 'PERSON', name: 'ATOMICITY-PROBE', identifier: { type: 'RESIDENT_ID', value: idNumber } } });
    const historyRows = async () => Number((await registry.dataSource.query('SELECT COUNT(*) n FROM restriction_history'))[0].n);
    const historyBefore = await historyRows();
    const res = await request(registry.app.getHttpServer())
      .post('/v1/restrictions')
      .set('authorization', `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`)
      .send(body)
      .expect(500);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'INTERNAL' });
    expect(JSON.stringify(res.body)).not.toContain('injected');

    const caseNo = (body.case as { caseNumber: string }).caseNumber;
    const [{ n }] = await registry.dataSource.query('SELECT COUNT(*) n FROM restrictions WHERE case_number = ?', [caseNo]);
    expect(Number(n)).toBe(0);
    expect(await historyRows()).toBe(historyBefore);
    const [{ a }] = await registry.dataSource.query(
      "SELECT COUNT(*) a FROM audit_log WHERE recorded_at > UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE AND action = 'restriction.impose' AND resource_id NOT IN (SELECT id FROM restrictions)",
    );
    expect(Number(a)).toBe(0);
  });
});
