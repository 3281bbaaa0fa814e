// The log output of a whole journey — court commands (also on a passport holder), a bad request,
// publication, partner receipts, a correction request rejected and reconsidered at the higher
// court, the lift, the debtor's and the public's queries — holds no unmasked identifier.
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { registerPartner } from './support/partners';
import { COURTS, creditCode, listingBody, residentId, startRegistry, testConfig, type TestRegistry } from './support/registry';

describe('log output of a full journey (debug level, stdout captured)', () => {
  let registry: TestRegistry;
  let written: string[] = [];
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeAll(async () => {
    const keep = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(keep);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(keep);
    registry = await startRegistry(testConfig({ env: { LOG_LEVEL: 'debug' } }));
  });
  afterAll(async () => {
    await registry?.close();
    stdout?.mockRestore();
    stderr?.mockRestore();
  });

  it('contains no identifier in full, from imposition to lift confirmation', async () => {
    written = [];
    const http = request(registry.app.getHttpServer());
    const court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    const person = residentId('1972-03-04');
    const representative = residentId('1969-08-21');
    const company = creditCode();
    const passport = `E${String(randomInt(10_000_000, 100_000_000))}`;
    const bank = await registerPartner(registry, 'BANK');

    const listing = (
      await http
        .post('/v1/restrictions')
        .set('authorization', court)
        .set('x-request-id', 'journey-1')
        .send(listingBody({ subject: { type: 'PERSON', name: '日志测试', identifier: { type: 'RESIDENT_ID', value: person }, sex: 'MALE' } }))
        .expect(201)
    ).body;
    await http
      .post('/v1/restrictions')
      .set('authorization', court)
      .send({
        kind: 'EXIT_BAN',
        subject: { type: 'ORGANISATION', name: '日志测试有限公司', identifier: { type: 'USCC', value: company }, legalRepresentative: '代表人' },
        affectedPersons: [{ role: 'LEGAL_REPRESENTATIVE', name: '代表人', identifier: { type: 'RESIDENT_ID', value: representative } }],
        case: { caseNumber: `(2026)京0108执${Date.now()}号`, enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '(2025)京0108民初7号' }, filingDate: '2026-02-02' },
        decidedAt: new Date(Date.now() - 60_000).toISOString(),
      })
      .expect(201);
    // A bad request carrying an identifier with a wrong check character, and a search by identifier.
    await http.post('/v1/restrictions').set('authorization', court).send(listingBody({ subject: { type: 'PERSON', name: '错', identifier: { type: 'RESIDENT_ID', value: `${person.slice(0, 17)}${person[17] === '0' ? '1' : '0'}` } } })).expect(422);
    await http.get('/v1/restrictions').query({ idNumber: person }).set('authorization', court).expect(200);
    await http.get(`/v1/restrictions/${listing.id}`).set('authorization', court).expect(200);

    // A passport holder listed, found by the court and the public, and reading its own status.
    await http
      .post('/v1/restrictions')
      .set('authorization', court)
      .send(listingBody({ subject: { type: 'PERSON', name: '护照持有人', identifier: { type: 'PASSPORT', value: passport, country: 'CHN' }, sex: 'FEMALE' } }))
      .expect(201);
    await http.get('/v1/restrictions').query({ idNumber: passport }).set('authorization', court).expect(200);
    await http.get('/v1/public/dishonest-debtors').query({ idNumber: passport, name: '护照持有人' }).expect(200);
    await http.get('/v1/me/status').set('authorization', `Bearer ${registry.token({ role: 'debtor', identifier: passport })}`).expect(200);

    // The debtor asks for correction; the court rejects; the higher court hears and rejects the reconsideration.
    const debtor = `Bearer ${registry.token({ role: 'debtor', identifier: person })}`;
    const correction = (
      await http.post('/v1/me/corrections').set('authorization', debtor).send({ restrictionId: listing.id, ground: 'SHOULD_NOT_BE_LISTED', statement: `本人身份证号${person}，并非被执行人。` }).expect(201)
    ).body;
    await http.post(`/v1/corrections/${correction.id}/decision`).set('authorization', court).send({ decision: 'REJECT', reason: '经审查，申请理由不成立。' }).expect(200);
    await http.post(`/v1/me/corrections/${correction.id}/reconsideration`).set('authorization', debtor).send({ statement: '请求复议。' }).expect(200);
    await http.get('/v1/me/corrections').set('authorization', debtor).expect(200);
    const higher = `Bearer ${registry.courtToken(COURTS.BEIJING_HIGH)}`;
    await http.get('/v1/corrections/reconsiderations').set('authorization', higher).expect(200);
    await http.post(`/v1/corrections/${correction.id}/reconsideration-decision`).set('authorization', higher).send({ decision: 'REJECT', reason: '复议理由不成立。' }).expect(200);

    await registry.relay.drainOnce();
    const [event] = await registry.dataSource.query('SELECT event_id FROM outbox WHERE restriction_id = ? AND version = 1', [listing.id]);
    await http.post('/v1/receipts').set('authorization', `Bearer ${bank.token}`).send(bank.receipt({ restrictionId: listing.id, version: 1, eventId: event.event_id })).expect(202);
    await http.post(`/v1/restrictions/${listing.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED', includeLinked: true }).expect(200);
    await registry.relay.drainOnce();

    await http.get('/v1/me/status').set('authorization', debtor).expect(200);
    await http.get('/v1/public/dishonest-debtors').query({ idNumber: person }).expect(200);
    await http.get('/v1/public/dishonest-debtors').query({ idNumber: representative, name: '代表人' }).expect(200);
    await http.get('/v1/me/status').set('authorization', `Bearer ${registry.token({ role: 'debtor', identifier: representative })}`).expect(200);

    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last request lines be written
    const output = written.join('');
    expect(output.length).toBeGreaterThan(0);
    expect(output).toContain('journey-1'); // the journey was logged
    expect(output).toContain(correction.id); // the correction requests were logged
    for (const id of [person, representative, passport]) expect(output).not.toContain(id);
  });
});
