import request from 'supertest';
import { COURTS, exitBanBody, listingBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from '../../../../test/support/registry';
import { storedEvents } from '../../../../test/support/stored';
import { ExpiryScheduler } from './expiry.scheduler';

describe('scheduled expiry (real MariaDB)', () => {
  let first: TestRegistry;
  let second: TestRegistry;

  beforeAll(async () => {
    const prefix = uniquePrefix();
    first = await startRegistry(testConfig({ topicPrefix: prefix, env: { RELAY_ENABLED: 'false', INSTANCE_ID: 'expiry-a' } }));
    second = await startRegistry(testConfig({ topicPrefix: prefix, env: { RELAY_ENABLED: 'false', INSTANCE_ID: 'expiry-b' } }));
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('ends fixed-term listings and dated exit bans at their term exactly once, even with two instances racing', async () => {
    const http = request(first.app.getHttpServer());
    const court = `Bearer ${first.courtToken(COURTS.HAIDIAN)}`;
    const twoYearsAgo = new Date(Date.now() - (2 * 365 + 2) * 86400_000).toISOString();
    const expiredListing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody({ decidedAt: twoYearsAgo, case: { caseNumber: `(2024)京0108执${Date.now()}号`, enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '(2023)京0108民初1号' }, filingDate: '2024-01-02' } })).expect(201)).body;
    const runningListing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    const ban = (await http.post('/v1/restrictions').set('authorization', court).send(exitBanBody({ expiresAt: new Date(Date.now() + 1500).toISOString() })).expect(201)).body;
    await new Promise((resolve) => setTimeout(resolve, 1600));

    const [a, b] = await Promise.all([first.app.get(ExpiryScheduler).expireDue(), second.app.get(ExpiryScheduler).expireDue()]);
    expect(a + b).toBeGreaterThanOrEqual(2);

    const rows = await first.dataSource.query(
      'SELECT id, status, version, lift_reason FROM restrictions WHERE id IN (?) ORDER BY id',
      [[expiredListing.id, runningListing.id, ban.id]],
    );
    const byId = Object.fromEntries(rows.map((r: { id: string }) => [r.id, r]));
    expect(byId[expiredListing.id]).toMatchObject({ status: 'LIFTED', version: 2, lift_reason: 'TERM_EXPIRED' });
    expect(byId[ban.id]).toMatchObject({ status: 'LIFTED', version: 2, lift_reason: 'TERM_EXPIRED' });
    expect(byId[runningListing.id]).toMatchObject({ status: 'ACTIVE', version: 1 });

    for (const id of [expiredListing.id, ban.id]) {
      const events = await storedEvents(first, id);
      expect(events.map((e) => e.version)).toEqual([1, 2]);
      expect(events[1].event).toMatchObject({ type: 'cn.court.credit-discipline.restriction.lifted', data: { liftReason: 'TERM_EXPIRED' } });
      const [{ n }] = await first.dataSource.query("SELECT COUNT(*) n FROM audit_log WHERE resource_id = ? AND actor_role = 'system'", [id]);
      expect(Number(n)).toBe(1);
    }
    // A second pass finds nothing more to do.
    expect(await first.app.get(ExpiryScheduler).expireDue()).toBe(0);
  });
});
