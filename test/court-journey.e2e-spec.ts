// End to end: a court's case system over HTTP, an independent Kafka consumer on the other side.
import { restrictionTopic } from '@cd/contracts';
import request from 'supertest';
import { TopicObserver } from './support/kafka';
import { COURTS, creditCode, listingBody, residentId, startRegistry, testConfig, uniquePrefix, type TestRegistry } from './support/registry';

describe('court journey: HTTP in, Kafka out', () => {
  const prefix = uniquePrefix();
  let registry: TestRegistry;
  let observer: TopicObserver;
  let http: ReturnType<typeof request>;
  let court: string;

  beforeAll(async () => {
    registry = await startRegistry(testConfig({ topicPrefix: prefix }));
    await registry.relay.drainOnce();
    observer = await TopicObserver.start(['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN'].map((k) => restrictionTopic(k as never, prefix)));
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
  });
  afterAll(async () => {
    await observer?.stop();
    await registry?.close();
  });

  it('impose → v1 on the listing topic; correct → v2; lift → v3 with its reason; the listing brings its consumption restriction', async () => {
    const idNumber = residentId('1968-11-30');
    const listing = (
      await http
        .post('/v1/restrictions')
        .set('authorization', court)
        .send(listingBody({ subject: { type: 'PERSON', name: '赵六', identifier: { type: 'RESIDENT_ID', value: idNumber }, sex: 'FEMALE' } }))
        .expect(201)
    ).body;
    const consumptionId = listing.linkedRestrictions[0].id;

    await observer.waitFor(() => observer.forKey(listing.id).length === 1 && observer.forKey(consumptionId).length === 1);
    const [imposed] = observer.forKey(listing.id);
    expect(imposed.topic).toBe(`${prefix}.dishonest-listing.v1`);
    expect(imposed.headers['content-type']).toContain('application/cloudevents+json');
    expect(imposed.value).toMatchObject({
      specversion: '1.0',
      type: 'cn.court.credit-discipline.restriction.imposed',
      subject: listing.id,
      datacontenttype: 'application/json',
      data: {
        id: listing.id,
        kind: 'DISHONEST_LISTING',
        version: 1,
        status: 'ACTIVE',
        ground: 'EVADES_ENFORCEMENT',
        subject: { type: 'PERSON', name: '赵六', identifier: { type: 'RESIDENT_ID', value: idNumber } },
        case: { courtCode: COURTS.HAIDIAN, caseNumber: listing.case.caseNumber },
      },
    });
    expect(imposed.value.data).not.toHaveProperty('obligation'); // need to know: not for partners
    const [consumption] = observer.forKey(consumptionId);
    expect(consumption.topic).toBe(`${prefix}.consumption-restriction.v1`);
    expect(consumption.value.data).toMatchObject({ kind: 'CONSUMPTION_RESTRICTION', version: 1, linkedListingId: listing.id });
    expect(consumption.value.data.measures).toContain('AIR_TRAVEL');

    await http.patch(`/v1/restrictions/${listing.id}`).set('authorization', court).set('if-match', '"1"').send({ subject: { name: '赵陆' } }).expect(200);
    await http.post(`/v1/restrictions/${listing.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED', note: '已全部履行' }).expect(200);

    await observer.waitFor(() => observer.forKey(listing.id).length === 3);
    const events = observer.forKey(listing.id);
    expect(events.map((e) => [e.value.type.split('.').pop(), e.value.data.version])).toEqual([
      ['imposed', 1],
      ['amended', 2],
      ['lifted', 3],
    ]);
    expect(events[1].value.data.subject.name).toBe('赵陆');
    expect(events[2].value.data).toMatchObject({ status: 'LIFTED', liftReason: 'PERFORMED' });
    expect(new Set(events.map((e) => e.value.id)).size).toBe(3);
    // The consumption restriction has its own lifecycle: still version 1, active.
    expect(observer.forKey(consumptionId)).toHaveLength(1);
  });

  it("an organisation's exit ban names its legal representative for border control", async () => {
    const rep = residentId('1970-01-01');
    const ban = (
      await http
        .post('/v1/restrictions')
        .set('authorization', court)
        .send({
          kind: 'EXIT_BAN',
          subject: { type: 'ORGANISATION', name: '北京某某科技有限公司', identifier: { type: 'USCC', value: creditCode() }, legalRepresentative: '钱七' },
          affectedPersons: [{ role: 'LEGAL_REPRESENTATIVE', name: '钱七', identifier: { type: 'RESIDENT_ID', value: rep } }],
          case: { caseNumber: `(2026)京0108执${Date.now()}号`, enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '(2025)京0108民初99号' }, filingDate: '2026-03-01' },
          decidedAt: new Date(Date.now() - 60_000).toISOString(),
          expiresAt: new Date(Date.now() + 180 * 86400_000).toISOString(),
        })
        .expect(201)
    ).body;
    await observer.waitFor(() => observer.forKey(ban.id).length === 1);
    const [event] = observer.forKey(ban.id);
    expect(event.topic).toBe(`${prefix}.exit-ban.v1`);
    expect(event.value.data.affectedPersons).toEqual([{ role: 'LEGAL_REPRESENTATIVE', name: '钱七', identifier: { type: 'RESIDENT_ID', value: rep } }]);
    expect(event.value.data.expiresAt).toBe(ban.expiresAt);
  });
});
