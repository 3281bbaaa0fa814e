import { generateSigningKeyPair, restrictionTopic, verifyEvent, type RestrictionEvent } from '@cd/contracts';
import { ServiceKeyRing } from '@cd/partner-sdk';
import request from 'supertest';
import { TopicObserver } from '../../../../test/support/kafka';
import { COURTS, exitBanBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { drainOutbox } from '../../../../test/support/stored';
import type { PublicEventKey } from './event-signer';

// Rotation of the service's event-signing key: the key that signed older events is retired,
// stays listed at /v1/public/event-keys, and those events still verify against the served keys.
describe('service signing key rotation (real MariaDB, real Kafka)', () => {
  const prefix = uniquePrefix();
  const old = { keyId: 'svc-2025', ...generateSigningKeyPair() };
  const current = { keyId: 'svc-2026', ...generateSigningKeyPair() };
  const quiet = { RELAY_ENABLED: 'false', RECEIPTS_CONSUMER_ENABLED: 'false' };
  let observer: TopicObserver;
  let before: TestRegistry;
  let after: TestRegistry;
  let olderEvent: RestrictionEvent;
  let newerEvent: RestrictionEvent;
  let served: PublicEventKey[];

  async function impose(registry: TestRegistry): Promise<RestrictionEvent> {
    const court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    const { id } = (await request(registry.app.getHttpServer()).post('/v1/restrictions').set('authorization', court).send(exitBanBody()).expect(201)).body;
    await drainOutbox(registry);
    await observer.waitFor(() => observer.forKey(id).length === 1);
    return observer.forKey(id)[0].value;
  }

  beforeAll(async () => {
    before = await startRegistry(
      testConfig({ topicPrefix: prefix, env: { ...quiet, EVENT_SIGNING_KEYS: JSON.stringify({ [old.keyId]: old.privateKeyPem }), EVENT_SIGNING_KEY_ID: old.keyId } }),
    );
    await before.relay.drainOnce(); // creates the topics
    observer = await TopicObserver.start([restrictionTopic('EXIT_BAN', prefix)], before.config.kafka.brokers);
    olderEvent = await impose(before);
    await before.close();

    // The rotated deployment: a new active key, the old one's public key retired.
    after = await startRegistry(
      testConfig({
        topicPrefix: prefix,
        env: {
          ...quiet,
          EVENT_SIGNING_KEYS: JSON.stringify({ [current.keyId]: current.privateKeyPem }),
          EVENT_SIGNING_KEY_ID: current.keyId,
          EVENT_RETIRED_PUBLIC_KEYS: JSON.stringify({ [old.keyId]: old.publicKeyPem }),
        },
      }),
    );
    newerEvent = await impose(after);
    served = (await request(after.app.getHttpServer()).get('/v1/public/event-keys').expect(200)).body.keys;
  });
  afterAll(async () => {
    await observer?.stop();
    await after?.close();
  });

  it('lists the retired key beside the active one', () => {
    expect(served.map(({ keyId, active, algorithm }) => ({ keyId, active, algorithm })).sort((a, b) => a.keyId.localeCompare(b.keyId))).toEqual([
      { keyId: old.keyId, active: false, algorithm: 'Ed25519' },
      { keyId: current.keyId, active: true, algorithm: 'Ed25519' },
    ]);
    expect(served.find((k) => k.keyId === old.keyId)?.publicKeyPem.trim()).toBe(old.publicKeyPem.trim());
  });

  it('an event signed before the rotation still verifies against the served keys; the new ones are signed with the new key', async () => {
    expect(olderEvent.sigkeyid).toBe(old.keyId);
    expect(newerEvent.sigkeyid).toBe(current.keyId);
    const byId = Object.fromEntries(served.map((k) => [k.keyId, k.publicKeyPem]));
    expect(verifyEvent(olderEvent, byId)).toBe(true);
    expect(verifyEvent(newerEvent, byId)).toBe(true);
    // As a partner's SDK does it, from the served list.
    const ring = new ServiceKeyRing({}, { fetchKeys: async () => byId });
    expect(await ring.check(olderEvent)).toBe('VALID');
    expect(await ring.check(newerEvent)).toBe('VALID');
    // Without the retired key the older event would not verify: the listing is what keeps it valid.
    const activeOnly = Object.fromEntries(served.filter((k) => k.active).map((k) => [k.keyId, k.publicKeyPem]));
    expect(verifyEvent(olderEvent, activeOnly)).toBe(false);
    expect(verifyEvent({ ...olderEvent, data: { ...olderEvent.data, version: 2 } }, byId)).toBe(false);
  });
});
