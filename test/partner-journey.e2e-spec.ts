// The distribution loop end to end: a court over HTTP, the registry (relay, receipts
// consumer, overdue scanner), real Kafka, real MariaDB, and the reference partner agent
// running as separate processes built only on the partner SDK.
import { bucketOf, restrictionTopic } from '@cd/contracts';
import type { PartnerSector } from '@cd/domain';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AgentProcess } from '../apps/partner-agent/src/testing/agent-process';
import { recreateDatabase } from './support/database';
import { TopicObserver } from './support/kafka';
import { registerPartner, type TestPartner } from './support/partners';
import { COURTS, listingBody, startRegistry, testConfig, uniquePrefix, type TestRegistry } from './support/registry';

interface Agent {
  partner: TestPartner;
  sector: PartnerSector;
  store: string;
  transport: 'kafka' | 'rest';
  process?: AgentProcess;
}

async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('partner journeys (agent processes, registry, Kafka, MariaDB)', () => {
  const prefix = uniquePrefix();
  // Its own database: the ledger must hold exactly what these agents can see on these topics.
  const config = testConfig({ topicPrefix: prefix, database: 'credit_discipline_journey_test', env: { OVERDUE_SCAN_INTERVAL_MS: '500', REANNOUNCE_AFTER_MS: '1500' } });
  let registry: TestRegistry;
  let http: ReturnType<typeof request>;
  let court: string;
  let supervisor: string;
  let observer: TopicObserver;
  let dir: string;
  const agents: Record<'bank' | 'regulator' | 'airline', Agent> = {} as never;

  const env = (agent: Agent): NodeJS.ProcessEnv => ({
    ...process.env,
    PARTNER_ID: agent.partner.id,
    PARTNER_SECTOR: agent.sector,
    PARTNER_KEY_ID: agent.partner.keyId,
    PARTNER_PRIVATE_KEY_PEM: agent.partner.privateKeyPem,
    STORE_PATH: agent.store,
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    REGISTRY_URL: registry.baseUrl,
    REGISTRY_TOKEN: agent.partner.token,
    RECEIPT_TRANSPORT: agent.transport,
  });
  const start = async (agent: Agent) => {
    agent.process = AgentProcess.start(['run'], env(agent));
    await agent.process.waitFor((records) => records.some((r) => r.msg === 'started'), `${agent.partner.id} to start`);
  };
  const stop = async (agent: Agent) => {
    agent.process?.signal('SIGTERM');
    await agent.process?.waitForExit();
  };
  const enforcement = async (id: string) => (await http.get(`/v1/restrictions/${id}/enforcement`).set('authorization', court).expect(200)).body;
  const storeOf = async (agent: Agent): Promise<Record<string, { version: number; status: string }>> =>
    JSON.parse(await readFile(agent.store, 'utf8')).restrictions;

  beforeAll(async () => {
    await recreateDatabase(config.db);
    registry = await startRegistry(config, { listen: true });
    http = request(registry.app.getHttpServer());
    court = `Bearer ${registry.courtToken(COURTS.HAIDIAN)}`;
    supervisor = `Bearer ${registry.token({ role: 'supervisor' })}`;
    dir = await mkdtemp(join(tmpdir(), 'partner-journey-'));
    const make = async (sector: PartnerSector, transport: Agent['transport'], deadline?: { value: number; unit: 'SECONDS' | 'WORKING_DAYS' }) => ({
      partner: await registerPartner(registry, sector, { deadline }),
      sector,
      transport,
      store: join(dir, `${sector.toLowerCase()}.json`),
    });
    agents.bank = await make('BANK', 'kafka');
    agents.regulator = await make('MARKET_REGULATOR', 'rest');
    agents.airline = await make('AIRLINE', 'kafka', { value: 4, unit: 'SECONDS' });
    await registry.relay.drainOnce(); // topics exist before the agents subscribe
    observer = await TopicObserver.start(['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'].map((k) => restrictionTopic(k as never, prefix)));
    await Promise.all(Object.values(agents).map(start));
  });
  afterAll(async () => {
    for (const agent of Object.values(agents)) agent.process?.kill();
    await observer?.stop();
    await registry?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a listing reaches each partner with only its kinds, is confirmed by signed receipts, and its lift is confirmed by all', async () => {
    const listing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    const consumptionId = listing.linkedRestrictions[0].id;

    await eventually(async () => (await enforcement(listing.id)).fullyEnforced && (await enforcement(consumptionId)).fullyEnforced, 'enforcement of both restrictions');
    const listingReport = await enforcement(listing.id);
    expect(listingReport.partners.map((p: { partnerId: string }) => p.partnerId).sort()).toEqual([agents.bank.partner.id, agents.regulator.partner.id].sort());
    expect(listingReport.decisionToEnforcementMs).toBeGreaterThan(0);
    const consumptionReport = await enforcement(consumptionId);
    expect(consumptionReport.partners.map((p: { partnerId: string }) => p.partnerId).sort()).toEqual([agents.airline.partner.id, agents.bank.partner.id].sort());

    // Need to know: each agent received (and stored) only the kinds it enforces.
    expect(Object.keys(await storeOf(agents.bank)).sort()).toEqual([listing.id, consumptionId].sort());
    expect(Object.keys(await storeOf(agents.regulator))).toEqual([listing.id]);
    expect(Object.keys(await storeOf(agents.airline))).toEqual([consumptionId]);

    await http.post(`/v1/restrictions/${listing.id}/lift`).set('authorization', court).send({ reason: 'PERFORMED', includeLinked: true }).expect(200);
    await eventually(async () => (await enforcement(listing.id)).fullyLifted && (await enforcement(consumptionId)).fullyLifted, 'lift confirmation by every partner');
    const lifted = await enforcement(consumptionId);
    for (const partner of lifted.partners) expect(partner).toMatchObject({ confirmedVersion: 2, liftVersion: 2, overdue: false });
    expect((await storeOf(agents.airline))[consumptionId]).toMatchObject({ version: 2, status: 'LIFTED' });
  });

  it('a partner down past its deadline is overdue and counted; after restarting it catches up and the overdue clears', async () => {
    await stop(agents.airline);
    const listing = (await http.post('/v1/restrictions').set('authorization', court).send(listingBody()).expect(201)).body;
    const consumptionId = listing.linkedRestrictions[0].id;
    const overdueIds = async () =>
      (await http.get('/v1/supervision/overdue').query({ partnerId: agents.airline.partner.id }).set('authorization', supervisor).expect(200)).body.map((d: { restrictionId: string }) => d.restrictionId);

    await eventually(async () => (await overdueIds()).includes(consumptionId), 'the airline delivery to become overdue');
    const counted = new RegExp(`credit_discipline_overdue_deliveries\\{partner="${agents.airline.partner.id}"\\} [1-9]`);
    await eventually(async () => counted.test((await http.get('/metrics').set('authorization', supervisor).expect(200)).text), 'the overdue delivery to be counted in metrics');
    // Re-announced while overdue: the same event again, no new version.
    await observer.waitFor(() => observer.forKey(consumptionId).length >= 2);
    expect(new Set(observer.forKey(consumptionId).map((m) => m.value.id)).size).toBe(1);

    await start(agents.airline);
    await eventually(async () => !(await overdueIds()).includes(consumptionId), 'the overdue to clear after the airline caught up');
    expect((await enforcement(consumptionId)).partners.find((p: { partnerId: string }) => p.partnerId === agents.airline.partner.id)).toMatchObject({ confirmedVersion: 1, overdue: false });
  });

  it('an agent that lost its store rebuilds it from the compacted topics and reconciles to zero differing buckets; a corrupted store is caught', async () => {
    await stop(agents.bank);
    const bootstrap = await AgentProcess.runToEnd(['bootstrap'], env(agents.bank));
    expect(bootstrap.code).toBe(0);
    expect(bootstrap.result).toMatchObject({ command: 'bootstrap', invalid: 0 });
    const clean = await AgentProcess.runToEnd(['reconcile'], env(agents.bank));
    expect(clean.result).toMatchObject({ command: 'reconcile', differingBuckets: [] });

    const file = JSON.parse(await readFile(agents.bank.store, 'utf8'));
    const [victim] = Object.entries(file.restrictions as Record<string, { version: number; status: string }>).find(([, e]) => e.status === 'ACTIVE')!;
    file.restrictions[victim].version += 7;
    await writeFile(agents.bank.store, JSON.stringify(file));
    const corrupted = await AgentProcess.runToEnd(['reconcile'], env(agents.bank));
    expect(corrupted.result.differingBuckets).toEqual([bucketOf(victim)]);
  });
});
