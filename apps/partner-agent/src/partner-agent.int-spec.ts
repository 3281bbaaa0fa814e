// The reference partner as a real process against the real local Kafka. The test plays
// the service: it owns the event-signing key, creates the topics and publishes signed events.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allTopics,
  bucketDigests,
  bucketOf,
  generateSigningKeyPair,
  receiptsTopic,
  restrictionTopic,
  validateReceipt,
  verifyReceipt,
  type Receipt,
  type RestrictionEvent,
} from '@cd/contracts';
import { activeDigests, FileRestrictionStore, type StoredRestriction } from '@cd/partner-sdk';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { signedEvent, testResidentId } from '../../../libs/partner-sdk/src/testing/events';
import { AgentProcess } from './testing/agent-process';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('partner agent process (real Kafka)', () => {
  const prefix = `test-agent-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const partnerId = `bank-${randomBytes(3).toString('hex')}`;
  const serviceKeyPair = generateSigningKeyPair();
  const service = { keyId: 'svc-test-1', privateKey: serviceKeyPair.privateKeyPem };
  const partnerKey = generateSigningKeyPair();
  const impostor = generateSigningKeyPair();

  const listingId = `0190f3a2-0000-7000-8000-${randomBytes(6).toString('hex')}`;
  const consumptionId = `0190f3a2-0001-7000-8000-${randomBytes(6).toString('hex')}`;
  const forgedId = `0190f3a2-0002-7000-8000-${randomBytes(6).toString('hex')}`;
  const exitBanId = `0190f3a2-0003-7000-8000-${randomBytes(6).toString('hex')}`;
  const identifiers = [testResidentId('311'), testResidentId('312'), testResidentId('313'), testResidentId('314')];

  const listing = [1, 2, 3].map((version) =>
    signedEvent({ id: listingId, version, status: version === 3 ? 'LIFTED' : 'ACTIVE', identifierValue: identifiers[0] }, service),
  );
  const consumption = signedEvent({ id: consumptionId, kind: 'CONSUMPTION_RESTRICTION', identifierValue: identifiers[1] }, service);
  const forged = signedEvent({ id: forgedId, identifierValue: identifiers[2] }, { keyId: service.keyId, privateKey: impostor.privateKeyPem });
  const exitBan = signedEvent({ id: exitBanId, kind: 'EXIT_BAN', identifierValue: identifiers[3] }, service);

  const expectedStore: Record<string, StoredRestriction> = {
    [listingId]: { version: 3, status: 'LIFTED', state: listing[2].data, eventId: listing[2].id },
    [consumptionId]: { version: 1, status: 'ACTIVE', state: consumption.data, eventId: consumption.id },
  };

  let dir: string;
  let storePath: string;
  let env: NodeJS.ProcessEnv;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let receiptConsumer: Consumer;
  const receipts: { key: string; value: Receipt }[] = [];
  /** Receipts on the wire that do not conform to the receipt schema; checked on arrival, asserted in waitForReceipts and afterAll. */
  const receiptViolations: string[] = [];
  const assertReceiptsConform = () => {
    if (receiptViolations.length > 0) throw new Error(`receipts violate the receipt schema:\n${receiptViolations.join('\n')}`);
  };
  let agent: AgentProcess | undefined;

  async function publish(...events: RestrictionEvent[]): Promise<void> {
    for (const event of events) {
      await producer.send({
        topic: restrictionTopic(event.data.kind, prefix),
        acks: -1,
        messages: [{ key: event.data.id, value: JSON.stringify(event) }],
      });
    }
  }

  async function waitForReceipts(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      assertReceiptsConform();
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; receipts: ${JSON.stringify(receipts.map((r) => [r.key, r.value.version]))}\n${agent?.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const receiptFor = (restrictionId: string, version: number) => receipts.find((r) => r.key === restrictionId && r.value.version === version);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'partner-agent-'));
    storePath = join(dir, 'store.json');
    env = {
      ...process.env,
      PARTNER_ID: partnerId,
      PARTNER_SECTOR: 'BANK',
      PARTNER_KINDS: '',
      PARTNER_KEY_ID: `${partnerId}-key-1`,
      PARTNER_PRIVATE_KEY_PEM: partnerKey.privateKeyPem,
      PARTNER_PRIVATE_KEY_FILE: '',
      PARTNER_GROUP_ID: '',
      STORE_PATH: storePath,
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      REGISTRY_URL: '',
      REGISTRY_TOKEN: '',
      RECEIPT_TRANSPORT: 'kafka',
      SERVICE_PUBLIC_KEYS: JSON.stringify({ [service.keyId]: serviceKeyPair.publicKeyPem }),
      AGENT_SLOW_MS: '',
      AGENT_SILENT: '',
      AGENT_FAIL: '',
    };
    kafka = new Kafka({ clientId: 'partner-agent-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: allTopics(prefix).map((topic) => ({
        topic: topic.name,
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [{ name: 'cleanup.policy', value: topic.cleanupPolicy }],
      })),
    });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    receiptConsumer = kafka.consumer({ groupId: `observer-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
    await receiptConsumer.connect();
    await receiptConsumer.subscribe({ topics: [receiptsTopic(prefix)], fromBeginning: true });
    await receiptConsumer.run({
      eachMessage: async ({ message }) => {
        let value: Receipt;
        try {
          value = JSON.parse(message.value?.toString() ?? 'null');
        } catch (error) {
          receiptViolations.push(`offset ${message.offset}: not JSON (${(error as Error).message})`);
          return;
        }
        const check = validateReceipt(value);
        if (!check.valid) receiptViolations.push(`offset ${message.offset}: ${check.errors.join('; ')}`);
        receipts.push({ key: message.key?.toString() ?? '', value });
      },
    });
  });

  afterAll(async () => {
    agent?.kill();
    await receiptConsumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: allTopics(prefix).map((t) => t.name) }).catch(() => undefined);
    await admin?.disconnect();
    await rm(dir, { recursive: true, force: true });
    assertReceiptsConform();
  });

  it('applies verified events and confirms every version with a receipt signed by its key; forged and foreign-kind events get none', async () => {
    await publish(listing[0], consumption, forged, exitBan);
    agent = AgentProcess.start(['run'], env);
    await waitForReceipts(() => !!receiptFor(listingId, 1) && !!receiptFor(consumptionId, 1), 'receipts for the first versions');

    // Changes arriving while the partner runs.
    await publish(listing[1], listing[2]);
    await waitForReceipts(() => !!receiptFor(listingId, 2) && !!receiptFor(listingId, 3), 'receipts for v2 and v3');
    await agent.waitFor(
      (records) => records.some((r) => r.msg === 'invalid-event' && r.restrictionId === forgedId && r.reason === 'BAD_SIGNATURE'),
      'the forged event to be reported',
    );

    const expected = [
      [listingId, 1, listing[0].id],
      [listingId, 2, listing[1].id],
      [listingId, 3, listing[2].id],
      [consumptionId, 1, consumption.id],
    ] as const;
    for (const [restrictionId, version, eventId] of expected) {
      const { key, value } = receiptFor(restrictionId, version)!;
      expect(key).toBe(restrictionId);
      expect(value).toMatchObject({ partnerId, restrictionId, version, eventId, outcome: 'APPLIED', keyId: `${partnerId}-key-1` });
      expect(verifyReceipt(value, partnerKey.publicKeyPem)).toBe(true);
      expect(verifyReceipt(value, impostor.publicKeyPem)).toBe(false);
    }
    expect(receipts.filter((r) => r.key === forgedId || r.key === exitBanId)).toEqual([]);
    expect(receipts.every((r) => r.value.partnerId === partnerId)).toBe(true);

    // One JSON record per line, and no identifier numbers among them.
    expect(agent.records.filter((r) => r.msg === 'not-json')).toEqual([]);
    expect(agent.records.filter((r) => r.msg === 'event-applied').length).toBeGreaterThanOrEqual(4);
    for (const identifier of identifiers) expect(agent.stdout + agent.stderr).not.toContain(identifier);
  });

  it('stops cleanly on SIGTERM with its store flushed', async () => {
    agent!.signal('SIGTERM');
    expect(await agent!.waitForExit()).toBe(0);
    expect(agent!.records.map((r) => r.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    const store = await FileRestrictionStore.open(storePath);
    expect(Object.fromEntries((await store.entries()).map(({ id, ...rest }) => [id, rest]))).toEqual(expectedStore);
  });

  it('bootstrap rebuilds the same state into a wiped store from the topics, skipping the forged event', async () => {
    const wipe = await AgentProcess.runToEnd(['wipe'], env);
    expect(wipe.code).toBe(0);
    expect(wipe.result).toMatchObject({ command: 'wipe' });
    expect(await (await FileRestrictionStore.open(storePath)).entries()).toEqual([]);

    const { code, result, agent: run } = await AgentProcess.runToEnd(['bootstrap'], env);
    expect({ code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result).toMatchObject({ command: 'bootstrap', invalid: 1, notApplicable: 0, entries: 2, active: 1 });
    expect(result.applied).toBeGreaterThanOrEqual(2);
    expect(result.messages).toBeGreaterThanOrEqual(3);

    const store = await FileRestrictionStore.open(storePath);
    expect(Object.fromEntries((await store.entries()).map(({ id, ...rest }) => [id, rest]))).toEqual(expectedStore);
    for (const identifier of identifiers) expect(run.stdout).not.toContain(identifier);
  });

  it('a restarted agent resumes after its committed offsets: only what was published while it was down is confirmed', async () => {
    const amended = signedEvent({ id: consumptionId, version: 2, kind: 'CONSUMPTION_RESTRICTION', identifierValue: identifiers[1] }, service);
    await publish(amended);
    const restarted = AgentProcess.start(['run'], env);
    try {
      await waitForReceipts(() => !!receiptFor(consumptionId, 2), 'the receipt for the version published while down');
      restarted.signal('SIGTERM');
      expect(await restarted.waitForExit()).toBe(0);
    } finally {
      restarted.kill();
    }
    const sent = restarted.records.filter((r) => r.msg === 'receipt-sent').map((r) => [r.restrictionId, r.version]);
    expect(sent).toEqual([[consumptionId, 2]]);
    expectedStore[consumptionId] = { version: 2, status: 'ACTIVE', state: amended.data, eventId: amended.id };
    const store = await FileRestrictionStore.open(storePath);
    expect(Object.fromEntries((await store.entries()).map(({ id, ...rest }) => [id, rest]))).toEqual(expectedStore);
  });

  it('a corrupted store no longer matches the expected reconciliation digests', async () => {
    const expectedDigests = [...bucketDigests([{ id: consumptionId, version: 2 }])].map(([bucket, digest]) => ({ bucket, ...digest }));
    expect(await activeDigests(await FileRestrictionStore.open(storePath))).toEqual(expectedDigests);

    // As if the lift had been lost: the listing looks active again.
    const file = JSON.parse(await readFile(storePath, 'utf8'));
    file.restrictions[listingId].status = 'ACTIVE';
    await writeFile(storePath, JSON.stringify(file));

    const corrupted = await activeDigests(await FileRestrictionStore.open(storePath));
    expect(corrupted).not.toEqual(expectedDigests);
    const expectedByBucket = new Map(expectedDigests.map((d) => [d.bucket, d]));
    const differing = corrupted.filter((d) => JSON.stringify(d) !== JSON.stringify(expectedByBucket.get(d.bucket))).map((d) => d.bucket);
    expect(differing).toEqual([bucketOf(listingId)]);
  });

  it('demo switches: AGENT_FAIL confirms FAILED with a reason and applies nothing; AGENT_SILENT applies but sends no receipt', async () => {
    const failing = { id: `airline-${randomBytes(3).toString('hex')}`, store: join(dir, 'failing.json') };
    const silent = { id: `railway-${randomBytes(3).toString('hex')}`, store: join(dir, 'silent.json') };
    const start = (partner: { id: string; store: string }, switches: NodeJS.ProcessEnv) =>
      AgentProcess.start(['run'], {
        ...env,
        PARTNER_ID: partner.id,
        PARTNER_SECTOR: 'AIRLINE',
        PARTNER_KEY_ID: `${partner.id}-key`,
        STORE_PATH: partner.store,
        ...switches,
      });
    const failingAgent = start(failing, { AGENT_FAIL: 'true' });
    const silentAgent = start(silent, { AGENT_SILENT: 'true' });
    try {
      // The airline reads only the consumption topic, whose restriction is at version 2 by now.
      const latest = expectedStore[consumptionId].version;
      const failedFor = (version: number) => receipts.find((r) => r.value.partnerId === failing.id && r.value.version === version);
      await waitForReceipts(() => !!failedFor(latest), 'a FAILED receipt for the latest version');
      const failed = receipts.filter((r) => r.value.partnerId === failing.id);
      expect(failed.every((r) => r.key === consumptionId && r.value.outcome === 'FAILED' && r.value.reason)).toBe(true);
      expect(verifyReceipt(failedFor(latest)!.value, partnerKey.publicKeyPem)).toBe(true);

      await silentAgent.waitFor(
        (records) => records.some((r) => r.msg === 'event-applied' && r.restrictionId === consumptionId && r.version === latest),
        'the silent agent to apply the latest version',
      );
      // Both agents are stopped (which flushes) before looking at stores and the absence of receipts.
      silentAgent.signal('SIGTERM');
      failingAgent.signal('SIGTERM');
      expect(await silentAgent.waitForExit()).toBe(0);
      expect(await failingAgent.waitForExit()).toBe(0);
      expect(receipts.filter((r) => r.value.partnerId === silent.id)).toEqual([]);
      expect(await (await FileRestrictionStore.open(silent.store)).get(consumptionId)).toEqual(expectedStore[consumptionId]);
      expect(await (await FileRestrictionStore.open(failing.store)).entries()).toEqual([]);
    } finally {
      failingAgent.kill();
      silentAgent.kill();
    }
  });
});
