import { receiptsTopic, restrictionTopic } from '@cd/contracts';
import { PartnerClient } from '@cd/partner-sdk';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import request from 'supertest';
import { asyncApiHeaderChecks, type HeaderCheck } from '../../../../test/support/asyncapi';
import { TopicObserver } from '../../../../test/support/kafka';
import { registerPartner, type TestPartner } from '../../../../test/support/partners';
import { COURTS, exitBanBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { waitForMarked } from '../../../../test/support/stored';
import { OverdueScheduler } from '../deliveries/overdue.scheduler';

// The Kafka headers actually produced — by the relay, by a re-announcement, by the SDK's receipt —
// against the header schemas of libs/contracts/asyncapi.yaml.
describe('Kafka headers on the wire match the AsyncAPI document (real MariaDB, real Kafka)', () => {
  const prefix = uniquePrefix();
  let registry: TestRegistry;
  let observer: TopicObserver;
  let receipts: Consumer;
  const receiptHeaders: Record<string, string>[] = [];
  let checks: Record<string, HeaderCheck>;
  let border: TestPartner;
  let restrictionId: string;

  beforeAll(async () => {
    checks = await asyncApiHeaderChecks();
    registry = await startRegistry(testConfig({ topicPrefix: prefix, env: { OVERDUE_SCAN_INTERVAL_MS: '3600000', RECEIPTS_CONSUMER_ENABLED: 'false' } }));
    border = await registerPartner(registry, 'BORDER_CONTROL', { deadline: { value: 10, unit: 'MINUTES' } });
    await registry.relay.drainOnce();
    observer = await TopicObserver.start([restrictionTopic('EXIT_BAN', prefix)], registry.config.kafka.brokers);
    const kafka = new Kafka({ clientId: 'headers-test', brokers: registry.config.kafka.brokers, logLevel: logLevel.NOTHING });
    receipts = kafka.consumer({ groupId: `${prefix}.headers-test`, maxWaitTimeInMs: 100 });
    await receipts.connect();
    await receipts.subscribe({ topics: [receiptsTopic(prefix)], fromBeginning: true });
    await receipts.run({
      eachMessage: async ({ message }) => {
        receiptHeaders.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ''])));
      },
    });
    const court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    restrictionId = (await request(registry.app.getHttpServer()).post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body.id;
    await observer.waitFor(() => observer.forKey(restrictionId).length === 1);
    await waitForMarked(registry, [restrictionId]);
  });
  afterAll(async () => {
    await receipts?.disconnect();
    await observer?.stop();
    await registry?.close();
  });

  it('the document gives header schemas for restriction events and receipts', () => {
    expect(Object.keys(checks).sort()).toEqual(['receipt', 'restrictionEvent']);
    // The schemas can fail: a header the document does not list, or a missing ce-id.
    expect(checks.restrictionEvent({ 'content-type': 'application/cloudevents+json; charset=utf-8' })).not.toEqual([]);
    expect(checks.receipt({ 'content-type': 'application/json', 'x-other': '1' })).not.toEqual([]);
  });

  it('the relay publishes the CloudEvents headers, ce-id equal to the event id', () => {
    const [published] = observer.forKey(restrictionId);
    expect(checks.restrictionEvent(published.headers)).toEqual([]);
    expect(published.headers['ce-id']).toBe(published.value.id);
    expect(published.headers['x-reannounced']).toBeUndefined();
  });

  it('a re-announcement carries the same CloudEvents headers as the original, plus x-reannounced', async () => {
    const announced = await registry.app.get(OverdueScheduler).scan(new Date(Date.now() + 11 * 60_000));
    expect(announced).toBeGreaterThanOrEqual(1);
    await observer.waitFor(() => observer.forKey(restrictionId).length === 2);
    const [original, again] = observer.forKey(restrictionId);
    expect(checks.restrictionEvent(again.headers)).toEqual([]);
    expect(again.headers).toEqual({ ...original.headers, 'x-reannounced': 'true' });
  });

  it("the SDK's receipt carries the receipt headers of the document", async () => {
    const { keys } = (await request(registry.app.getHttpServer()).get('/v1/public/event-keys').expect(200)).body as { keys: { keyId: string; publicKeyPem: string }[] };
    const client = new PartnerClient({
      partnerId: border.id,
      kinds: ['EXIT_BAN'],
      brokers: registry.config.kafka.brokers,
      topicPrefix: prefix,
      signingKey: { keyId: border.keyId, privateKeyPem: border.privateKeyPem },
      serviceKeys: Object.fromEntries(keys.map((k) => [k.keyId, k.publicKeyPem])),
    });
    try {
      const [event] = observer.forKey(restrictionId);
      await client.sendReceipt({ restrictionId, version: 1, eventId: event.value.id, outcome: 'APPLIED' });
    } finally {
      await client.close();
    }
    const deadline = Date.now() + 60_000;
    while (receiptHeaders.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiptHeaders).toHaveLength(1);
    expect(checks.receipt(receiptHeaders[0])).toEqual([]);
  });
});
